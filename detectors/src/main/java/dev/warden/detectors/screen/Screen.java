package dev.warden.detectors.screen;

import dev.warden.detectors.digest.InputDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The screening stage of one route: runs the route's screens on a request, each with its own
 * threshold, time budget and failure mode, and returns every verdict.
 *
 * <p>Screens run in parallel on the given executor; the caller waits at most the largest
 * {@code timeout} of its screens. A screen that fails, times out or cannot be scheduled yields a
 * verdict marked {@code error}: PASS under {@link OnError#FAIL_OPEN}, FLAG under
 * {@link OnError#FAIL_CLOSED}. Verdicts of cacheable screens are looked up in and written to the
 * {@link VerdictCache} when the caller passes the input digest.
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
 * silently drops a screen (it becomes an error verdict per onError, default fail-closed). Immutable
 * and thread-safe.
 */
public final class Screen {
  private final List<ScreenConfig> configs;
  private final List<Detector> detectors;
  private final ExecutorService executor;
  private final VerdictCache cache;

  /**
   * @param screens the route's screens, in order
   * @param registry where the screen names resolve (resolved now: an unknown name fails here, at
   *     policy load, not on a request)
   * @param executor runs the detectors (see {@link #newExecutor})
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
   * Screens one request.
   *
   * @param input the request
   * @param digest its canonical input digest, or null (then nothing is cached)
   */
  public ScreenResult screen(ScreenInput input, InputDigest digest) {
    int n = configs.size();
    Verdict[] out = new Verdict[n];
    List<Future<Detection>> futures = new ArrayList<>(java.util.Collections.nCopies(n, null));
    long[] deadlines = new long[n];
    int hits = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ScreenConfig c = configs.get(i);
      Detector d = detectors.get(i);
      if (!d.accepts(input)) continue;
      if (cache != null && digest != null && d.cacheable()) {
        var cached = cache.get(input.tenant(), input.route(), c.name(), digest);
        if (cached.isPresent()) {
          out[i] = cached.get();
          hits++;
          continue;
        }
      }
      double threshold = Double.isNaN(c.threshold()) ? d.defaultThreshold() : c.threshold();
      try {
        futures.set(i, executor.submit(() -> d.detect(input, threshold)));
        deadlines[i] = start + c.timeout().toNanos();
      } catch (RejectedExecutionException e) {
        out[i] = error(c, "not scheduled: detector pool saturated");
      }
    }
    for (int i = 0; i < n; i++) {
      Future<Detection> f = futures.get(i);
      if (f == null) continue;
      ScreenConfig c = configs.get(i);
      try {
        long wait = Math.max(0, deadlines[i] - System.nanoTime());
        out[i] = Verdict.of(c.name(), f.get(wait, TimeUnit.NANOSECONDS));
        if (cache != null && digest != null && detectors.get(i).cacheable()) cache.put(input.tenant(), input.route(), digest, out[i]);
      } catch (TimeoutException e) {
        f.cancel(true);
        out[i] = error(c, "timed out after " + c.timeout().toMillis() + " ms");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        out[i] = error(c, "failed: " + cause.getClass().getSimpleName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        f.cancel(true);
        out[i] = error(c, "interrupted");
      }
    }
    List<Verdict> verdicts = new ArrayList<>(n);
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
