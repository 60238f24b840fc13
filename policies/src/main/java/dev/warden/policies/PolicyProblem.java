package dev.warden.policies;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with a policy file, located at a line and column (both 1-based; 0 when unknown).
 * {@link #toString()} renders the compiler-style {@code file:line:col: message} that editors and CI
 * annotate.
 */
public record PolicyProblem(Path file, int line, int column, String message) {
  public PolicyProblem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
