package dev.warden.detectors.screen;

import java.util.Locale;

/** What a failed or timed-out detector means for the request. */
public enum OnError {
  /** Treat as PASS (availability first); the verdict is marked {@code error}. */
  FAIL_OPEN,
  /** Treat as FLAG (security first); the verdict is marked {@code error}. The default. */
  FAIL_CLOSED;

  /**
   * Parses the policy spelling {@code fail-open} / {@code fail-closed}.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static OnError parse(String s) {
    if (s == null) return FAIL_CLOSED;
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "fail-open" -> FAIL_OPEN;
      case "fail-closed" -> FAIL_CLOSED;
      default -> throw new IllegalArgumentException("onError must be fail-open or fail-closed, got '" + s + "'");
    };
  }
}
