package dev.warden.detectors.screen;

import dev.warden.detectors.digest.InputDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The screening stage of one route: runs the route's screens on a request, each with its own
 * threshold, time budget and failure mode, and returns every verdict.
 *
 * <p><b>Execution.</b> A detector that declares itself {@link Detector#inline() inline} (cheap,
 * CPU-only, bounded: the embedded query store, the built-in autoencoder) runs on the calling thread,
 * which in the gateway is the event loop: a hand-off to a pool costs more than such a detector (a
 * wake-up is 5-50 µs idle and milliseconds on a loaded machine, the detectors 6-8 µs), and its
 * worst case is bounded by construction, so it needs no timeout. Every other detector (a remote
 * store, an operator model of unknown size, the text classifiers) is handed to the executor and
 * raced against its {@code timeout} on a shared timer thread: whichever comes first settles its
 * verdict, and a late detector is interrupted. When every screen that applies ran inline,
 * {@link #screenAsync} returns a completed stage and the caller continues on its own thread.
 *
 * <p>A screen that fails, times out or cannot be scheduled yields a verdict marked {@code error}:
 * PASS under {@link OnError#FAIL_OPEN}, FLAG under {@link OnError#FAIL_CLOSED}. Verdicts of
 * cacheable screens are looked up in and written to the {@link VerdictCache} when the caller passes
 * the input digest.
 *
 * <pre>{@code
 * Screen screen = new Screen(List.of(
 *         ScreenConfig.of("query-store", null, 20L, "fail-open"),
 *         ScreenConfig.of("autoencoder", null, 20L, "fail-closed")),
 *     registry, executor, verdictCache);
 * ScreenResult r = screen.screen(ScreenInput.ofTensors(tenant, routeId, "digits", tensors), digest);
 * if (r.flagged()) ... the route's action (block / silent / throttle / audit) with r.firstFlag()
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * Every configured screen that accepts the input yields exactly one verdict; a failure never
 * silently drops a screen (it becomes an error verdict per onError, default fail-closed). An
 * offloaded screen's verdict is settled no later than its timeout (plus timer latency). Not
 * guaranteed: a timeout for inline screens (their cost is bounded by what they are, not by a
 * timer). Immutable and thread-safe.
 */
public final class Screen {
  /** Fires the timeouts of offloaded detectors; one daemon thread for all screens (like the JDK's delayer). */
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final List<ScreenConfig> configs;
  private final List<Detector> detectors;
  private final ExecutorService executor;
  private final VerdictCache cache;

  /**
   * @param screens the route's screens, in order
   * @param registry where the screen names resolve (resolved now: an unknown name fails here, at
   *     policy load, not on a request)
   * @param executor runs the detectors that are not inline (see {@link #newExecutor})
   * @param cache verdict cache, or null for none
   */
  public Screen(List<ScreenConfig> screens, DetectorRegistry registry, ExecutorService executor, VerdictCache cache) {
    this.configs = List.copyOf(screens);
    this.executor = Objects.requireNonNull(executor, "executor");
    this.cache = cache;
    List<Detector> ds = new ArrayList<>();
    for (ScreenConfig c : configs) ds.add(registry.get(c.name()));
    this.detectors = List.copyOf(ds);
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "warden-screen-timeout");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true); // most timers are cancelled: do not let them pile up until they fire
    return t;
  }

  /**
   * A bounded pool for detectors: {@code threads} daemon threads and a queue of {@code queue}
   * tasks; when full, submission is refused and the screen's onError applies.
   */
  public static ExecutorService newExecutor(int threads, int queue) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
      Thread t = new Thread(r, "warden-screen-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Screens one request, waiting for the offloaded screens (at most their timeouts). For callers that
   * may block; an event loop calls {@link #screenAsync}.
   *
   * @param input the request
   * @param digest its canonical input digest, or null (then nothing is cached)
   */
  public ScreenResult screen(ScreenInput input, InputDigest digest) {
    return screenAsync(input, digest).toCompletableFuture().join();
  }

  /**
   * Screens one request without blocking: inline screens run now on this thread, the others on the
   * executor. The stage completes (normally, never exceptionally) when every verdict is settled,
   * on the thread that settled the last one; it is already complete when nothing was offloaded.
   *
   * @param input the request
   * @param digest its canonical input digest, or null (then nothing is cached)
   */
  public CompletionStage<ScreenResult> screenAsync(ScreenInput input, InputDigest digest) {
    int n = configs.size();
    Verdict[] out = new Verdict[n];
    @SuppressWarnings("unchecked")
    CompletableFuture<Verdict>[] offloaded = new CompletableFuture[n];
    int pending = 0;
    int hits = 0;
    for (int i = 0; i < n; i++) {
      ScreenConfig c = configs.get(i);
      Detector d = detectors.get(i);
      if (!d.accepts(input)) continue;
      boolean caches = cache != null && digest != null && d.cacheable();
      if (caches) {
        var cached = cache.get(input.tenant(), input.route(), c.name(), digest);
        if (cached.isPresent()) {
          out[i] = cached.get();
          hits++;
          continue;
        }
      }
      double threshold = Double.isNaN(c.threshold()) ? d.defaultThreshold() : c.threshold();
      if (d.inline()) {
        out[i] = run(c, d, input, threshold);
        if (caches) cache.put(input.tenant(), input.route(), digest, out[i]);
      } else {
        offloaded[i] = offload(c, d, input, threshold);
        pending++;
      }
    }
    int cacheHits = hits;
    if (pending == 0) return CompletableFuture.completedFuture(result(out, cacheHits));
    CompletableFuture<?>[] waits = new CompletableFuture<?>[pending];
    for (int i = 0, k = 0; i < n; i++) if (offloaded[i] != null) waits[k++] = offloaded[i];
    return CompletableFuture.allOf(waits).thenApply(ignored -> {
      for (int i = 0; i < n; i++) {
        if (offloaded[i] == null) continue;
        out[i] = offloaded[i].join();
        if (cache != null && digest != null && detectors.get(i).cacheable()) cache.put(input.tenant(), input.route(), digest, out[i]);
      }
      return result(out, cacheHits);
    });
  }

  private static Verdict run(ScreenConfig c, Detector d, ScreenInput input, double threshold) {
    try {
      return Verdict.of(c.name(), d.detect(input, threshold));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(c, "interrupted");
    } catch (Exception e) {
      return error(c, "failed: " + e.getClass().getSimpleName());
    }
  }

  /** Runs {@code d} on the executor, raced against its timeout; the future never fails. */
  private CompletableFuture<Verdict> offload(ScreenConfig c, Detector d, ScreenInput input, double threshold) {
    CompletableFuture<Verdict> verdict = new CompletableFuture<>();
    Future<?> task;
    try {
      task = executor.submit(() -> verdict.complete(run(c, d, input, threshold)));
    } catch (RejectedExecutionException e) {
      verdict.complete(error(c, "not scheduled: detector pool saturated"));
      return verdict;
    }
    ScheduledFuture<?> timeout = TIMER.schedule(() -> {
      if (verdict.complete(error(c, "timed out after " + c.timeout().toMillis() + " ms"))) task.cancel(true);
    }, c.timeout().toNanos(), TimeUnit.NANOSECONDS);
    verdict.whenComplete((v, e) -> timeout.cancel(false));
    return verdict;
  }

  private static ScreenResult result(Verdict[] out, int hits) {
    List<Verdict> verdicts = new ArrayList<>(out.length);
    for (Verdict v : out) if (v != null) verdicts.add(v);
    return new ScreenResult(verdicts, hits);
  }

  private static Verdict error(ScreenConfig c, String what) {
    boolean open = c.onError() == OnError.FAIL_OPEN;
    return new Verdict(open ? Verdict.Outcome.PASS : Verdict.Outcome.FLAG, c.name(), Double.NaN,
        what + (open ? " (fail-open)" : " (fail-closed)"), true);
  }

  /** The configured screens. */
  public List<ScreenConfig> configs() { return configs; }
}
