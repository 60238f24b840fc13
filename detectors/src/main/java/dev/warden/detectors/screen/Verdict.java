package dev.warden.detectors.screen;

import java.util.Objects;

/**
 * One screen's verdict on one request, for the gateway's action and the audit record.
 *
 * @param outcome PASS or FLAG
 * @param screen the screen's name (as configured on the route)
 * @param score the detector's score (higher = more suspicious; NaN when the detector did not answer)
 * @param reason short human-readable cause, never containing request data
 * @param error whether the verdict comes from a failure or timeout (decided by the screen's onError)
 */
public record Verdict(Outcome outcome, String screen, double score, String reason, boolean error) {
  /** The two outcomes. */
  public enum Outcome { PASS, FLAG }

  public Verdict {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(screen, "screen");
    Objects.requireNonNull(reason, "reason");
  }

  /** Whether this verdict flags the request. */
  public boolean flagged() { return outcome == Outcome.FLAG; }

  static Verdict of(String screen, Detection d) {
    return new Verdict(d.flagged() ? Outcome.FLAG : Outcome.PASS, screen, d.score(), d.reason(), false);
  }
}
