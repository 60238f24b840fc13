package dev.warden.gateway.stages;

import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Mode;
import dev.warden.policies.Specs.RateLimit;
import io.vertx.core.Future;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant token bucket on a route: 429 {@code rate_limited} with {@code Retry-After} when empty.
 * Buckets live in a map shared across policy reloads (keyed by route, tenant and the limit itself),
 * so a reload neither resets a tenant's bucket nor lets it burst again.
 */
public final class RateLimitStage implements Stage {
  private final String routeName;
  private final RateLimit limit;
  private final Mode mode;
  private final ConcurrentMap<String, TokenBucket> buckets;
  private final LongSupplier nanoClock;

  public RateLimitStage(String routeName, RateLimit limit, Mode mode, BucketStore store, LongSupplier nanoClock) {
    this.routeName = routeName;
    this.limit = limit;
    this.mode = mode;
    this.buckets = store.buckets;
    this.nanoClock = nanoClock;
  }

  @Override
  public Phase phase() {
    return Phase.RATE_LIMIT;
  }

  @Override
  public String name() {
    return "rate-limit";
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    long now = nanoClock.getAsLong();
    String key = routeName + '\u0000' + ex.tenant() + '\u0000' + limit.requestsPerSecond() + '/' + limit.burst();
    TokenBucket b = buckets.get(key);
    if (b == null) {
      b = buckets.computeIfAbsent(key, k -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), now));
    }
    long wait = b.tryTake(now);
    if (wait == 0) {
      return null;
    }
    if (mode == Mode.AUDIT) {
      ex.verdict(name(), StageVerdict.WOULD_REJECT, "rate limit exceeded");
      return null;
    }
    long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    ex.request().response().putHeader("Retry-After", Long.toString(seconds));
    throw new StageRejection(429, "rate_limited", "rate limit of " + limit.requestsPerSecond()
        + " requests/s (burst " + limit.burst() + ") exceeded for tenant " + ex.tenant());
  }
}
