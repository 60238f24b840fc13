package dev.warden.detectors.screen;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.detectors.digest.InputDigest;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Verdicts of cacheable (stateless) screens, keyed by (tenant, route, screen, input digest).
 *
 * <p>Keyed per tenant on purpose: a cache shared across tenants would answer one tenant faster
 * when another had sent the same input, a timing side channel on other tenants' traffic. Bounded
 * by size (Caffeine's W-TinyLFU) and by time since write. Error verdicts are never cached (a
 * timeout must be retried, not remembered).
 *
 * <h2>Security guarantees</h2>
 * A hit only returns a verdict computed for the same tenant, route, screen and keyed digest, i.e.
 * the same canonical input. Not guaranteed: freshness beyond the TTL after a detector or threshold
 * change; clear the cache ({@link #invalidateAll}) on policy reload.
 */
public final class VerdictCache {
  private final Cache<Key, Verdict> cache;

  private record Key(String tenant, String route, String screen, InputDigest digest) {}

  /**
   * @param maxEntries size bound
   * @param ttl time after write
   * @param nanoTime time source in nanoseconds (tests pass a fake; production {@code System::nanoTime})
   */
  public VerdictCache(long maxEntries, Duration ttl, LongSupplier nanoTime) {
    Objects.requireNonNull(nanoTime, "nanoTime");
    this.cache = Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfterWrite(ttl)
        .ticker(nanoTime::getAsLong)
        .executor(Runnable::run)
        .build();
  }

  /** A cache with the system clock. */
  public VerdictCache(long maxEntries, Duration ttl) {
    this(maxEntries, ttl, System::nanoTime);
  }

  /** The cached verdict, if any. */
  public Optional<Verdict> get(String tenant, String route, String screen, InputDigest digest) {
    return Optional.ofNullable(cache.getIfPresent(new Key(tenant, route, screen, digest)));
  }

  /** Caches {@code v} unless it is an error verdict. */
  public void put(String tenant, String route, InputDigest digest, Verdict v) {
    if (v.error()) return;
    cache.put(new Key(tenant, route, v.screen(), digest), v);
  }

  /** Drops everything (policy reload, detector change). */
  public void invalidateAll() { cache.invalidateAll(); }

  /** Approximate number of entries. */
  public long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
