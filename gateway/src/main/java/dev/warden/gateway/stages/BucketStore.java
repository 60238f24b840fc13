package dev.warden.gateway.stages;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The token buckets of every route and tenant, kept for the gateway's lifetime (across policy
 * reloads). In-process: with several replicas each enforces its own share of the limit.
 */
public final class BucketStore {
  final ConcurrentMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** Drops buckets idle for longer than {@code idleNanos}; the gateway calls this periodically. */
  public void evictIdle(long nowNanos, long idleNanos) {
    buckets.values().removeIf(b -> nowNanos - b.lastUsed > idleNanos);
  }

  public int size() {
    return buckets.size();
  }
}
