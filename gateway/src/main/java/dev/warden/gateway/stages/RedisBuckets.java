package dev.warden.gateway.stages;

import dev.warden.crypto.redis.RespPool;
import dev.warden.gateway.state.RedisTarget;
import dev.warden.policies.Specs.RateLimit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Token buckets shared by every replica through Redis ({@code spec.state.store: redis}): each take is one Lua script
 * that refills the bucket by the time elapsed on the Redis server's clock ({@code TIME}, so replica clocks do not
 * matter), takes a token if there is one, and returns the tokens left and the wait until the next one. Redis runs
 * a script without interleaving, so N replicas together admit exactly the bucket's burst plus its refill.
 *
 * <p><b>Keys.</b> {@code warden:rl:{<tenant>}:<route>:<rate>/<burst>}, a hash of {@code tokens} and {@code ts}
 * (microseconds). The hash tag {@code {<tenant>}} keeps a tenant's buckets in one Redis Cluster slot. A bucket
 * expires once it would be full again ({@code burst / rate} seconds idle), so idle tenants cost nothing.
 *
 * <p><b>Event loop.</b> Non-blocking: the Vert.x Redis client pipelines takes from every event loop over a small
 * pool. A take that has not answered within {@link RedisTarget#TIMEOUT} fails, and the stage applies
 * {@code onUnavailable}.
 */
public final class RedisBuckets implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RedisBuckets.class.getName());
  /** Log at most one "Redis unavailable" line per this many nanoseconds. */
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  static final String TAKE = String.join("\n",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000000 + tonumber(t[2])",
      "local rate = tonumber(ARGV[1])",
      "local burst = tonumber(ARGV[2])",
      "local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')",
      "local tokens = tonumber(b[1])",
      "local ts = tonumber(b[2])",
      "if tokens == nil or ts == nil then tokens = burst; ts = now end",
      "if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000000); ts = now end",
      "local allowed = 0",
      "local wait = 0",
      "if tokens >= 1 then tokens = tokens - 1; allowed = 1",
      "else wait = math.ceil((1 - tokens) * 1000000 / rate) end",
      "redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)",
      "redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)",
      "return {allowed, math.floor(tokens), wait}");
  private static final RespPool.Script SCRIPT = RespPool.Script.of(TAKE);

  /** One take's outcome: whether a token was taken, tokens left, and microseconds until the next token. */
  public record Take(boolean allowed, long remaining, long retryAfterMicros) {}

  private final Redis client;
  private final RedisTarget target;
  private final LongAdder unavailable = new LongAdder();
  private volatile long lastLog;

  public RedisBuckets(Vertx vertx, RedisTarget target) {
    this.target = target;
    this.client = Redis.createClient(vertx, target.vertxOptions());
  }

  /** Takes one token from the shared bucket of {@code tenant} on {@code route}. */
  public Future<Take> take(String tenant, String route, RateLimit limit) {
    String key = "warden:rl:{" + esc(tenant) + "}:" + esc(route) + ':' + limit.requestsPerSecond() + '/' + limit.burst();
    String rate = Double.toString(limit.requestsPerSecond());
    String burst = Long.toString(limit.burst());
    return client.send(Request.cmd(Command.EVALSHA).arg(SCRIPT.sha()).arg(1).arg(key).arg(rate).arg(burst))
        .recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
            ? client.send(Request.cmd(Command.EVAL).arg(TAKE).arg(1).arg(key).arg(rate).arg(burst))
            : Future.failedFuture(e))
        .timeout(RedisTarget.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .map(RedisBuckets::take);
  }

  private static Take take(Response r) {
    return new Take(r.get(0).toLong() == 1, r.get(1).toLong(), r.get(2).toLong());
  }

  /** Whether a take that failed falls back to this replica's own bucket ({@code onUnavailable: fail-open}). */
  boolean failOpen() {
    return target.failOpen();
  }

  /** Counts a take that Redis did not answer and logs it (at most every 10 s; the cause, never a credential). */
  void unavailable(Throwable cause) {
    unavailable.increment();
    long now = System.nanoTime();
    if (now - lastLog > LOG_EVERY_NANOS) {
      lastLog = now;
      LOG.warning("rate limits: Redis at " + target + " unavailable (" + cause.getClass().getSimpleName() + ": "
          + cause.getMessage() + "); " + (target.failOpen() ? "using this replica's own buckets (fail-open)"
          : "refusing with 503 state_unavailable (fail-closed)"));
    }
  }

  /** Takes that Redis did not answer: served from a local bucket (fail-open) or refused with 503 (fail-closed). */
  public long unavailableCount() {
    return unavailable.sum();
  }

  /** The server and settings (for reuse across policy reloads). */
  public RedisTarget target() {
    return target;
  }

  /** Escapes characters that would break the key layout or the hash tag. */
  static String esc(String s) {
    return s.replace("%", "%25").replace("{", "%7B").replace("}", "%7D").replace(":", "%3A");
  }

  @Override
  public void close() {
    client.close();
  }
}
