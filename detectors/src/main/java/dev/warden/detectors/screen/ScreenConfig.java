package dev.warden.detectors.screen;

import java.time.Duration;
import java.util.Objects;

/**
 * One screen on a route, as the policy gives it.
 *
 * @param name the screen's name (a key of the {@link DetectorRegistry}), e.g. "query-store"
 * @param threshold the flag threshold, or NaN for the detector's default
 * @param timeout the detector's time budget
 * @param onError what a failure or timeout means
 */
public record ScreenConfig(String name, double threshold, Duration timeout, OnError onError) {
  /** Default time budget when the policy gives none. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);

  public ScreenConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(onError, "onError");
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("screen '" + name + "': timeoutMs must be positive");
  }

  /**
   * From policy values: {@code threshold} may be null, {@code timeoutMs} null (→ 50 ms),
   * {@code onError} null (→ fail-closed) or "fail-open"/"fail-closed".
   */
  public static ScreenConfig of(String name, Double threshold, Long timeoutMs, String onError) {
    return new ScreenConfig(name, threshold == null ? Double.NaN : threshold,
        timeoutMs == null ? DEFAULT_TIMEOUT : Duration.ofMillis(timeoutMs), OnError.parse(onError));
  }
}
