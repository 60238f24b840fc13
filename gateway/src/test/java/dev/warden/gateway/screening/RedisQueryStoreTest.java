package dev.warden.gateway.screening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.dp.LocalRedis;
import dev.warden.crypto.redis.RespPool;
import dev.warden.detectors.attack.SquareAttack;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.QueryStore;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import io.vertx.core.Vertx;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis query-attack store against a real {@code redis-server}: two store instances on their own connection
 * pools stand for two replicas, and a stream spread over both (switching replica and account at every query) is
 * caught across them.
 */
class RedisQueryStoreTest {
  private static final FingerprintParams P = FingerprintParams.DIGITS_8X8;

  @TempDir Path dir;

  private static RespPool pool(LocalRedis redis) {
    return new RespPool("127.0.0.1", redis.port(), null, null, Duration.ofSeconds(1), Duration.ofSeconds(2), 4);
  }

  private static RedisQueryStore store(RespPool pool, int postingsPerHash) {
    return new RedisQueryStore(pool, RedisQueryStore.namespace(P), P.hashes(), 60_000, postingsPerHash);
  }

  @Test
  void squareAttackSpreadOverTwoReplicas_isCaughtAcrossThem_andBenignDigitsAreNot() throws Exception {
    Dataset.Split digits = Recipes.digitsSplit();
    DenseNetwork model = Recipes.digitsMlp(digits.train());
    try (LocalRedis redis = LocalRedis.start(dir, false); RespPool a = pool(redis); RespPool b = pool(redis)) {
      String ns = RedisQueryStore.namespace(P);
      Fingerprinter fa = RedisQueryStore.sharedFingerprinter(a, ns, P);
      Fingerprinter fb = RedisQueryStore.sharedFingerprinter(b, ns, P);
      float[] x0 = digits.test().row(0);
      assertArrayEquals(fa.fingerprint(x0), fb.fingerprint(x0), "replicas share the fingerprint secrets");
      Fingerprinter[] fps = {fa, fb};
      QueryStore[] stores = {store(a, RedisQueryStore.MAX_WALK), store(b, RedisQueryStore.MAX_WALK)};
      assertTrue(stores[0].blocking());

      int benignFlags = 0;
      for (int i = 0; i < 200; i++) {
        int r = i % 2;
        benignFlags += stores[r].checkAndAdd("user-" + i, fps[r].fingerprint(digits.train().row(i)), P.threshold())
            .flagged() ? 1 : 0;
      }
      assertTrue(benignFlags <= 1, "benign flags: " + benignFlags);

      AtomicInteger queries = new AtomicInteger();
      AtomicInteger firstFlag = new AtomicInteger(-1);
      AtomicInteger crossReplicaFlags = new AtomicInteger();
      float[] x = digits.test().row(11);
      new SquareAttack(8, 8, 0f, 16f, 1f, 0.3, 60).run(q -> {
        int n = queries.incrementAndGet();
        int r = n % 2; // each query through the other replica, under another account
        QueryStore.Match m = stores[r].checkAndAdd("mallory-" + r, fps[r].fingerprint(q), P.threshold());
        if (m.flagged()) {
          firstFlag.compareAndSet(-1, n);
          crossReplicaFlags.addAndGet(m.crossTenant() ? 1 : 0);
        }
        return model.forward(q);
      }, x, digits.test().label(11), 101);
      assertTrue(queries.get() > 2, "the attack ran " + queries.get() + " queries");
      assertTrue(firstFlag.get() > 0 && firstFlag.get() <= 20, "first flag at query " + firstFlag.get());
      assertTrue(crossReplicaFlags.get() > 0, "flags matched a query stored through the other replica");
      long alarms = stores[0].alarms("mallory-0") + stores[0].alarms("mallory-1");
      assertEquals(alarms, stores[1].alarms("mallory-0") + stores[1].alarms("mallory-1"), "alarms are shared");
      assertTrue(alarms >= crossReplicaFlags.get());
      assertEquals(200 + queries.get(), stores[1].size());
    }
  }

  @Test
  void postingsPerHashAreCapped_andEveryKeyExpires() throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir, false); RespPool p = pool(redis)) {
      RedisQueryStore s = store(p, 3);
      long[] fp = {11, 22, 33};
      for (int i = 0; i < 10; i++) {
        QueryStore.Match m = s.checkAndAdd("t", fp, 2);
        assertEquals(i > 0, m.flagged());
      }
      String prefix = "warden:qs:{" + RedisQueryStore.namespace(P) + "}";
      assertEquals(3L, p.call("ZCARD", prefix + ":h:" + Long.toHexString(22)));
      for (String k : new String[] {prefix + ":h:b", prefix + ":entries"}) {
        long ttl = (Long) p.call("PTTL", k);
        assertTrue(ttl > 0 && ttl <= 60_000, k + " PTTL " + ttl);
      }
      assertEquals(9, s.alarms("t"));
      assertEquals(0, s.alarms("nobody"));
    }
  }

  @Test
  void calledOnAnEventLoop_isRefused_andRedisDown_throws() throws Exception {
    LocalRedis redis = LocalRedis.start(dir, false);
    RespPool p = pool(redis);
    RedisQueryStore s = store(p, 8);
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        try {
          s.checkAndAdd("t", new long[] {1}, 1);
          onLoop.complete(null);
        } catch (Throwable e) {
          onLoop.complete(e);
        }
      });
      assertTrue(onLoop.get(10, TimeUnit.SECONDS) instanceof IllegalStateException);
      assertFalse(s.checkAndAdd("t", new long[] {1}, 1).flagged());
      redis.kill();
      assertThrows(UncheckedIOException.class, () -> s.checkAndAdd("t", new long[] {1}, 1));
    } finally {
      vertx.close().await();
      p.close();
      redis.close();
    }
  }
}
