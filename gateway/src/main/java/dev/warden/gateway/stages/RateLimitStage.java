package dev.warden.gateway.stages;

import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Mode;
import dev.warden.policies.Specs.RateLimit;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant token bucket on a route: 429 {@code rate_limited} with {@code Retry-After} when empty.
 * Buckets live in a map shared across policy reloads (keyed by route, tenant and the limit itself),
 * so a reload neither resets a tenant's bucket nor lets it burst again. With {@code state.store: redis}
 * the bucket is shared by every replica ({@link RedisBuckets}); while Redis is unavailable,
 * {@code onUnavailable: fail-closed} answers 503 {@code state_unavailable} and {@code fail-open} takes from
 * this replica's own bucket.
 */
public final class RateLimitStage implements Stage {
  private final String routeName;
  private final RateLimit limit;
  private final Mode mode;
  private final ConcurrentMap<String, TokenBucket> buckets;
  private final LongSupplier nanoClock;
  private final RedisBuckets shared;

  public RateLimitStage(String routeName, RateLimit limit, Mode mode, BucketStore store, LongSupplier nanoClock) {
    this(routeName, limit, mode, store, nanoClock, null);
  }

  /** @param shared the replicas' shared buckets, or null for this process's own */
  public RateLimitStage(String routeName, RateLimit limit, Mode mode, BucketStore store, LongSupplier nanoClock,
      RedisBuckets shared) {
    this.routeName = routeName;
    this.limit = limit;
    this.mode = mode;
    this.buckets = store.buckets;
    this.nanoClock = nanoClock;
    this.shared = shared;
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
    if (shared == null) {
      long wait = takeLocal(ex);
      StageRejection r = wait == 0 ? null : refuse(ex, wait);
      if (r != null) {
        throw r;
      }
      return null;
    }
    // the Redis client may complete on another event loop: finish on the request's own context
    Context ctx = Vertx.currentContext();
    Promise<Void> done = Promise.promise();
    shared.take(ex.tenant(), routeName, limit).onComplete(ar -> {
      if (ctx == null || Vertx.currentContext() == ctx) {
        finish(ex, ar, done);
      } else {
        ctx.runOnContext(v -> finish(ex, ar, done));
      }
    });
    return done.future();
  }

  private void finish(Exchange ex, AsyncResult<RedisBuckets.Take> ar, Promise<Void> done) {
    long wait;
    if (ar.succeeded()) {
      wait = ar.result().allowed() ? 0 : Math.max(1, ar.result().retryAfterMicros() * 1000);
    } else {
      shared.unavailable(ar.cause());
      if (!shared.failOpen()) {
        done.fail(new StageRejection(503, "state_unavailable",
            "the shared rate-limit state is unavailable; try again later"));
        return;
      }
      wait = takeLocal(ex);
    }
    StageRejection r = wait == 0 ? null : refuse(ex, wait);
    if (r == null) {
      done.complete();
    } else {
      done.fail(r);
    }
  }

  /** Takes from this process's own bucket: 0, or the nanos until a token is available. */
  private long takeLocal(Exchange ex) {
    long now = nanoClock.getAsLong();
    String key = routeName + '\u0000' + ex.tenant() + '\u0000' + limit.requestsPerSecond() + '/' + limit.burst();
    TokenBucket b = buckets.get(key);
    if (b == null) {
      b = buckets.computeIfAbsent(key, k -> new TokenBucket(limit.requestsPerSecond(), limit.burst(), now));
    }
    return b.tryTake(now);
  }

  /** The 429 for a wait of {@code wait} nanos, or null in audit mode (recorded as would-reject). */
  private StageRejection refuse(Exchange ex, long wait) {
    if (mode == Mode.AUDIT) {
      ex.verdict(name(), StageVerdict.WOULD_REJECT, "rate limit exceeded");
      return null;
    }
    long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
    ex.request().response().putHeader("Retry-After", Long.toString(seconds));
    return new StageRejection(429, "rate_limited", "rate limit of " + limit.requestsPerSecond()
        + " requests/s (burst " + limit.burst() + ") exceeded for tenant " + ex.tenant());
  }
}
