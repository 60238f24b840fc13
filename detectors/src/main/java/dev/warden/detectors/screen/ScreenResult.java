package dev.warden.detectors.screen;

import java.util.List;
import java.util.Optional;

/**
 * All verdicts of one request, in the route's screen order.
 *
 * @param verdicts one per configured screen that accepts the input
 * @param cacheHits how many of them came from the verdict cache
 */
public record ScreenResult(List<Verdict> verdicts, int cacheHits) {
  public ScreenResult {
    verdicts = List.copyOf(verdicts);
  }

  /** Whether any screen flagged. */
  public boolean flagged() {
    for (Verdict v : verdicts) if (v.flagged()) return true;
    return false;
  }

  /** The first flagging verdict (the one the action and the audit record name). */
  public Optional<Verdict> firstFlag() {
    for (Verdict v : verdicts) if (v.flagged()) return Optional.of(v);
    return Optional.empty();
  }
}
