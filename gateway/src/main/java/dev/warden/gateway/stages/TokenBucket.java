package dev.warden.gateway.stages;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code ratePerSecond}. Time is passed in (nanos)
 * so tests control it. Synchronized: buckets are per tenant and route, so contention is low.
 */
final class TokenBucket {
  private final double ratePerNano;
  private final double capacity;
  private double tokens;
  private long last;
  volatile long lastUsed;

  TokenBucket(double ratePerSecond, long burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.last = nowNanos;
    this.lastUsed = nowNanos;
  }

  /** Takes a token if there is one; otherwise returns the nanos until one is available. */
  synchronized long tryTake(long nowNanos) {
    lastUsed = nowNanos;
    if (nowNanos > last) {
      tokens = Math.min(capacity, tokens + (nowNanos - last) * ratePerNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / ratePerNano);
  }
}
