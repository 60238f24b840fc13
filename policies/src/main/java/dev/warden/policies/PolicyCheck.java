package dev.warden.policies;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The check behind {@code warden policy check}: every problem as {@code file:line:col: message}. */
public final class PolicyCheck {
  private PolicyCheck() {}

  /** Problems found in {@code file} (syntax, schema, cross-references); empty when it is valid. */
  public static List<String> check(Path file) {
    return check(file, PolicyLoader.forChecking());
  }

  /** Same, with a loader of the caller's choice (e.g. with file checks or extra variables). */
  public static List<String> check(Path file, PolicyLoader loader) {
    try {
      loader.load(file);
      return List.of();
    } catch (PolicyException e) {
      return e.problems().stream().map(PolicyProblem::toString).collect(Collectors.toList());
    }
  }
}
