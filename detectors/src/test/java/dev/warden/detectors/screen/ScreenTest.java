package dev.warden.detectors.screen;

import static org.junit.jupiter.api.Assertions.*;

import dev.warden.detectors.digest.DigestKey;
import dev.warden.detectors.digest.InputDigest;
import dev.warden.detectors.digest.InputDigester;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScreenTest {
  final ExecutorService pool = Screen.newExecutor(4, 64);
  final CountDownLatch never = new CountDownLatch(1);

  @AfterEach
  void stop() {
    never.countDown();
    pool.shutdownNow();
  }

  /** Scores the first value of the first tensor; counts calls. */
  static final class ValueDetector implements Detector {
    final AtomicInteger calls = new AtomicInteger();
    @Override public String name() { return "value"; }
    @Override public double defaultThreshold() { return 10; }
    @Override public boolean cacheable() { return true; }
    @Override public boolean accepts(ScreenInput in) { return in.hasTensors(); }
    @Override public Detection detect(ScreenInput in, double threshold) {
      calls.incrementAndGet();
      return Detection.scored(in.firstNumericTensor()[0], threshold, "value");
    }
  }

  final class HangingDetector implements Detector {
    @Override public String name() { return "hang"; }
    @Override public double defaultThreshold() { return 0.5; }
    @Override public boolean cacheable() { return false; }
    @Override public boolean accepts(ScreenInput in) { return true; }
    @Override public Detection detect(ScreenInput in, double t) throws Exception {
      never.await();
      return Detection.scored(0, t, "never");
    }
  }

  static final class FailingDetector implements Detector {
    @Override public String name() { return "boom"; }
    @Override public double defaultThreshold() { return 0.5; }
    @Override public boolean cacheable() { return true; }
    @Override public boolean accepts(ScreenInput in) { return true; }
    @Override public Detection detect(ScreenInput in, double t) { throw new IllegalStateException("model file missing"); }
  }

  /** Records the thread it ran on. */
  static final class ThreadDetector implements Detector {
    final boolean inline;
    volatile Thread ranOn;
    ThreadDetector(boolean inline) { this.inline = inline; }
    @Override public String name() { return "thread"; }
    @Override public double defaultThreshold() { return 1; }
    @Override public boolean cacheable() { return false; }
    @Override public boolean inline() { return inline; }
    @Override public boolean accepts(ScreenInput in) { return true; }
    @Override public Detection detect(ScreenInput in, double t) {
      ranOn = Thread.currentThread();
      return Detection.scored(0, t, "thread");
    }
  }

  static ScreenInput image(String tenant, float v) {
    return ScreenInput.ofTensors(tenant, "route-a", "digits", List.of(Tensor.ofFloats("input", new long[] {1, 2}, new float[] {v, 0})));
  }

  @Test
  void threshold_fromRoute_overridesDetectorDefault() {
    DetectorRegistry reg = new DetectorRegistry().register("value", new ValueDetector());
    // 10 s: the detector answers at once, but a timeout would fail closed and flag (a 1 s stall on a loaded CI)
    Screen def = new Screen(List.of(ScreenConfig.of("value", null, 10_000L, null)), reg, pool, null);
    Screen strict = new Screen(List.of(ScreenConfig.of("value", 3.0, 10_000L, null)), reg, pool, null);
    assertFalse(def.screen(image("t", 5), null).flagged());
    ScreenResult r = strict.screen(image("t", 5), null);
    assertTrue(r.flagged());
    assertEquals("value", r.firstFlag().orElseThrow().screen());
    assertEquals(5.0, r.firstFlag().orElseThrow().score());
  }

  @Test
  void timeout_failOpen_passes_failClosed_flags() {
    DetectorRegistry reg = new DetectorRegistry().register("hang", new HangingDetector());
    Screen open = new Screen(List.of(ScreenConfig.of("hang", null, 30L, "fail-open")), reg, pool, null);
    Screen closed = new Screen(List.of(ScreenConfig.of("hang", null, 30L, "fail-closed")), reg, pool, null);
    Verdict o = open.screen(image("t", 1), null).verdicts().get(0);
    assertFalse(o.flagged());
    assertTrue(o.error());
    assertTrue(o.reason().contains("timed out after 30 ms (fail-open)"), o.reason());
    Verdict c = closed.screen(image("t", 1), null).verdicts().get(0);
    assertTrue(c.flagged());
    assertTrue(c.error());
    assertTrue(Double.isNaN(c.score()));
  }

  @Test
  void failure_followsOnError_andDefaultsToClosed_withoutLeakingTheMessage() {
    DetectorRegistry reg = new DetectorRegistry().register("boom", new FailingDetector());
    Verdict v = new Screen(List.of(ScreenConfig.of("boom", null, null, null)), reg, pool, null).screen(image("t", 1), null).verdicts().get(0);
    assertTrue(v.flagged());
    assertTrue(v.error());
    assertEquals("failed: IllegalStateException (fail-closed)", v.reason());
    Verdict o = new Screen(List.of(ScreenConfig.of("boom", null, null, "fail-open")), reg, pool, null).screen(image("t", 1), null).verdicts().get(0);
    assertFalse(o.flagged());
  }

  @Test
  void saturatedPool_yieldsErrorVerdict() {
    ExecutorService tiny = Screen.newExecutor(1, 1);
    try {
      DetectorRegistry reg = new DetectorRegistry().register("hang", new HangingDetector());
      // 2 s, not 20 ms: the first must still hold the only thread (and the second the only queue slot) when the
      // third is submitted. With 20 ms a stall of the submitting thread (a loaded CI) let the first time out,
      // the second run and the third be queued.
      Screen s = new Screen(List.of(ScreenConfig.of("hang", null, 2000L, "fail-closed"), ScreenConfig.of("hang", null, 2000L, "fail-closed"),
          ScreenConfig.of("hang", null, 2000L, "fail-open")), reg, tiny, null);
      List<Verdict> vs = s.screen(image("t", 1), null).verdicts();
      assertEquals(3, vs.size(), "every screen yields a verdict");
      assertTrue(vs.get(2).reason().startsWith("not scheduled"), vs.get(2).reason());
      assertFalse(vs.get(2).flagged());
    } finally {
      tiny.shutdownNow();
    }
  }

  @Test
  void verdictCache_isPerTenant_andSkipsErrors() {
    ValueDetector value = new ValueDetector();
    DetectorRegistry reg = new DetectorRegistry().register("value", value).register("boom", new FailingDetector());
    VerdictCache cache = new VerdictCache(1000, Duration.ofMinutes(5));
    Screen s = new Screen(List.of(ScreenConfig.of("value", null, 1000L, null), ScreenConfig.of("boom", null, 1000L, "fail-open")), reg, pool, cache);
    InputDigester digester = new InputDigester(DigestKey.generate());
    ScreenInput alice = image("alice", 4);
    InputDigest d = digester.digest("digits", null, alice.tensors());
    assertEquals(0, s.screen(alice, d).cacheHits());
    ScreenResult again = s.screen(alice, d);
    assertEquals(1, again.cacheHits(), "value verdict cached; the error verdict is not");
    assertEquals(1, value.calls.get());
    ScreenResult bob = s.screen(image("bob", 4), d);
    assertEquals(0, bob.cacheHits(), "another tenant never sees alice's cache entry");
    assertEquals(2, value.calls.get());
  }

  @Test
  void verdictCache_expires() {
    long[] now = {0};
    VerdictCache cache = new VerdictCache(10, Duration.ofSeconds(10), () -> now[0]);
    InputDigest d = new InputDigester(DigestKey.generate()).digest("m", null, List.of());
    cache.put("t", "r", d, new Verdict(Verdict.Outcome.PASS, "s", 0.1, "ok", false));
    assertTrue(cache.get("t", "r", "s", d).isPresent());
    assertFalse(cache.get("u", "r", "s", d).isPresent());
    now[0] += Duration.ofSeconds(11).toNanos();
    assertFalse(cache.get("t", "r", "s", d).isPresent());
  }

  @Test
  void unknownScreen_failsAtConstruction_andTextDetectorsSkipTensors() {
    DetectorRegistry reg = new DetectorRegistry();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Screen(List.of(ScreenConfig.of("nope", null, null, null)), reg, pool, null));
    assertTrue(e.getMessage().contains("'nope'"));
    assertThrows(IllegalArgumentException.class, () -> ScreenConfig.of("x", null, 0L, null));
    assertThrows(IllegalArgumentException.class, () -> ScreenConfig.of("x", null, 5L, "fail-maybe"));
    reg.register("value", new ValueDetector());
    Screen s = new Screen(List.of(ScreenConfig.of("value", null, null, null)), reg, pool, null);
    assertTrue(s.screen(ScreenInput.ofText("t", "chat", "demo-chat", "hello"), null).verdicts().isEmpty());
  }

  @Test
  void queryStoreScreen_flagsRepeatedQueries_acrossTenants_andIsNeverCached() {
    FingerprintParams p = FingerprintParams.DIGITS_8X8;
    InMemoryQueryStore store = InMemoryQueryStore.create(100, p, Duration.ofMinutes(10));
    DetectorRegistry reg = new DetectorRegistry().register("query-store", new QueryAttackDetector(Fingerprinter.create(p), store));
    VerdictCache cache = new VerdictCache(100, Duration.ofMinutes(5));
    Screen s = new Screen(List.of(ScreenConfig.of("query-store", null, 1000L, "fail-open")), reg, pool, cache);
    float[] img = dev.warden.detectors.train.Datasets.digits().row(5);
    List<Tensor> t = List.of(Tensor.ofFloats("input", new long[] {1, 64}, img));
    InputDigest d = new InputDigester(DigestKey.generate()).digest("digits", null, t);
    assertFalse(s.screen(ScreenInput.ofTensors("a", "r", "digits", t), d).flagged());
    ScreenResult second = s.screen(ScreenInput.ofTensors("b", "r", "digits", t), d);
    assertTrue(second.flagged());
    assertEquals(0, second.cacheHits());
    assertTrue(second.verdicts().get(0).reason().contains("from another tenant"));
    assertEquals(1.0, second.verdicts().get(0).score());
    assertEquals(1, store.alarms("b"));
  }

  @Test
  void inlineDetectors_runOnTheCallingThread_andTheResultIsReadyAtOnce() {
    ThreadDetector inline = new ThreadDetector(true);
    DetectorRegistry reg = new DetectorRegistry().register("thread", inline);
    // a pool that refuses everything: an inline detector must never need it
    ExecutorService none = Screen.newExecutor(1, 1);
    none.shutdown();
    var stage = new Screen(List.of(ScreenConfig.of("thread", null, 1L, "fail-closed")), reg, none, null)
        .screenAsync(image("t", 1), null).toCompletableFuture();
    assertTrue(stage.isDone(), "nothing was offloaded");
    assertFalse(stage.join().verdicts().get(0).error());
    assertSame(Thread.currentThread(), inline.ranOn);
  }

  @Test
  void detectorsNotInline_runOnThePool_besideInlineOnes_inScreenOrder() {
    ThreadDetector pooled = new ThreadDetector(false);
    ThreadDetector inline = new ThreadDetector(true);
    DetectorRegistry reg = new DetectorRegistry().register("pooled", pooled).register("inline", inline);
    ScreenResult r = new Screen(List.of(ScreenConfig.of("pooled", null, 5000L, null), ScreenConfig.of("inline", null, 5000L, null)),
        reg, pool, null).screen(image("t", 1), null);
    assertEquals(List.of("pooled", "inline"), r.verdicts().stream().map(Verdict::screen).toList());
    assertTrue(pooled.ranOn.getName().startsWith("warden-screen-"), pooled.ranOn.getName());
    assertSame(Thread.currentThread(), inline.ranOn);
  }

  @Test
  void aQueryStoreThatBlocks_isOffloaded_theEmbeddedOneRunsInline() {
    FingerprintParams p = FingerprintParams.DIGITS_8X8;
    InMemoryQueryStore embedded = InMemoryQueryStore.create(10, p, Duration.ofMinutes(1));
    dev.warden.detectors.query.QueryStore remote = new dev.warden.detectors.query.QueryStore() {
      @Override public boolean blocking() { return true; }
      @Override public Match checkAndAdd(String tenant, long[] fingerprint, int threshold) {
        return embedded.checkAndAdd(tenant, fingerprint, threshold);
      }
      @Override public long size() { return embedded.size(); }
      @Override public long memoryBytes() { return 0; }
      @Override public long alarms(String tenant) { return 0; }
    };
    assertFalse(embedded.blocking());
    assertTrue(new QueryAttackDetector(Fingerprinter.create(p), embedded).inline());
    assertFalse(new QueryAttackDetector(Fingerprinter.create(p), remote).inline());
  }

  @Test
  void anAsyncScreenWithATimedOutDetector_completesNormally_withTheErrorVerdict() {
    DetectorRegistry reg = new DetectorRegistry().register("hang", new HangingDetector()).register("value", new ValueDetector());
    var stage = new Screen(List.of(ScreenConfig.of("hang", null, 20L, "fail-open"), ScreenConfig.of("value", 3.0, 20L, null)),
        reg, pool, null).screenAsync(image("t", 5), null).toCompletableFuture();
    ScreenResult r = stage.join();
    assertTrue(r.verdicts().get(0).error());
    assertFalse(r.verdicts().get(0).flagged());
    assertTrue(r.verdicts().get(1).flagged(), "the other screen's verdict is kept");
  }
}
