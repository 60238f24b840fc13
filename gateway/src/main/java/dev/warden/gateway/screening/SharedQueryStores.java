package dev.warden.gateway.screening;

import dev.warden.crypto.redis.RespPool;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.gateway.state.RedisTarget;
import dev.warden.policies.Specs.State;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The query-attack detectors of {@code state.store: redis}: one {@link RedisQueryStore} per fingerprint schema on
 * one pool of blocking connections (detectors run on the screening workers), kept across policy reloads while the
 * Redis settings stay the same.
 */
final class SharedQueryStores implements AutoCloseable {
  /** Retention, as for the embedded store. */
  static final Duration TTL = Duration.ofHours(1);
  /** Connections kept open: one per screening worker is enough. */
  private static final int MAX_IDLE = 16;

  private final Map<FingerprintParams, QueryAttackDetector> detectors = new HashMap<>();
  private RespPool pool;
  private String identity;

  synchronized QueryAttackDetector detector(State state, FingerprintParams p) throws IOException {
    RedisTarget target = RedisTarget.of(state);
    if (pool == null || !target.identity().equals(identity)) {
      close();
      pool = target.blockingPool(MAX_IDLE);
      identity = target.identity();
    }
    QueryAttackDetector d = detectors.get(p);
    if (d == null) {
      String ns = RedisQueryStore.namespace(p);
      // postings beyond the walk are never inspected: keep no more
      d = new QueryAttackDetector(RedisQueryStore.sharedFingerprinter(pool, ns, p),
          new RedisQueryStore(pool, ns, p.hashes(), TTL.toMillis(), RedisQueryStore.MAX_WALK));
      detectors.put(p, d);
    }
    return d;
  }

  @Override
  public synchronized void close() {
    detectors.clear();
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }
}
