package dev.warden.gateway.upstream;

import java.util.function.LongSupplier;

/**
 * A per-backend breaker: after {@code failureThreshold} consecutive failures it opens for
 * {@code openMs}, refusing at once instead of piling requests onto a dead backend; then one trial
 * request is let through (half-open) and its outcome closes or re-opens it. Shared by all event
 * loops; each method is a short critical section.
 */
public final class CircuitBreaker {
  public enum State { CLOSED, OPEN, HALF_OPEN }

  private final int failureThreshold;
  private final long openNanos;
  private final LongSupplier clock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAt;
  private boolean trialInFlight;

  public CircuitBreaker(int failureThreshold, long openMs, LongSupplier nanoClock) {
    this.failureThreshold = failureThreshold;
    this.openNanos = openMs * 1_000_000L;
    this.clock = nanoClock;
  }

  /** Whether a request may go to the backend now; in half-open state, only one at a time. */
  public synchronized boolean tryAcquire() {
    if (state == State.OPEN) {
      if (clock.getAsLong() - openedAt < openNanos) {
        return false;
      }
      state = State.HALF_OPEN;
      trialInFlight = false;
    }
    if (state == State.HALF_OPEN) {
      if (trialInFlight) {
        return false;
      }
      trialInFlight = true;
    }
    return true;
  }

  public synchronized void onSuccess() {
    consecutiveFailures = 0;
    state = State.CLOSED;
    trialInFlight = false;
  }

  public synchronized void onFailure() {
    trialInFlight = false;
    if (state == State.HALF_OPEN || ++consecutiveFailures >= failureThreshold) {
      state = State.OPEN;
      openedAt = clock.getAsLong();
      consecutiveFailures = 0;
    }
  }

  public synchronized State state() {
    if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
      return State.HALF_OPEN;
    }
    return state;
  }
}
