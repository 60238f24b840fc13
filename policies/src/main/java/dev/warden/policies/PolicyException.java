package dev.warden.policies;

import java.util.List;
import java.util.stream.Collectors;

/** A policy that cannot be used, with every problem found (not only the first). */
public final class PolicyException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<PolicyProblem> problems;

  public PolicyException(List<PolicyProblem> problems) {
    super(problems.stream().map(PolicyProblem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<PolicyProblem> problems() {
    return problems;
  }
}
