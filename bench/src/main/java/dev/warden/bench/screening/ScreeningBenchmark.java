package dev.warden.bench.screening;

import dev.warden.detectors.digest.DigestKey;
import dev.warden.detectors.digest.InputDigester;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.onnx.MagNetAutoencoder;
import dev.warden.detectors.onnx.OnnxScorer;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.detectors.onnx.OnnxScoreDetector;
import dev.warden.detectors.screen.DetectorRegistry;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenConfig;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.screen.ScreenResult;
import dev.warden.detectors.text.InvisibleCharScanner;
import dev.warden.detectors.text.PromptInjectionClassifier;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.Recipes;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The screening stage's request-path pieces, as sample-time distributions (read p50 / p99):
 * <ul>
 *   <li>{@code fingerprint784}: Blacklight fingerprint of a 784-value (28x28, 0..255) image with the
 *       published parameters (step 50, w 20, p 10, S 50). Target ≤ 0.3 ms; the naive
 *       reference measured 0.82 ms.</li>
 *   <li>{@code fingerprint64}: the same for an 8x8 digit ({@code DIGITS_8X8}: w 8, p 1).</li>
 *   <li>{@code storeCheck784}: fingerprint + check-and-add into a full 50 000-entry store (every call
 *       evicts the oldest entry: the steady state).</li>
 *   <li>{@code autoencoderScore}: MagNet autoencoder score of one digit with ONNX Runtime (reused
 *       session, one intra-op thread). Target p99 ≤ 0.2 ms.</li>
 *   <li>{@code digest784}: canonical HMAC-SHA-256 input digest of a [1, 784] FP32 tensor.</li>
 *   <li>{@code imageStage}: the whole {@link Screen} with both image screens (query store +
 *       autoencoder), both inline on the calling thread (they declare {@code inline()}; the 2-thread pool is
 *       there for offloaded detectors only), distinct digits (no cache hits). Target p99 ≤ 1 ms.</li>
 *   <li>{@code textScan1k} / {@code injection1k}: invisible-character scan and the chunked injection
 *       classifier on a 1 KiB prompt.</li>
 * </ul>
 * Competitor: none in process; the figures are compared with the targets.
 *
 * <p>Run: {@code bench/screening.sh} or
 * {@code java -jar bench/target/benchmarks.jar ScreeningBenchmark -f1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ScreeningBenchmark {
  private static final int STORE_ENTRIES = 50_000;

  private Fingerprinter fp784;
  private Fingerprinter fp64;
  private InMemoryQueryStore store784;
  private float[][] images784;
  private float[][] digits;
  private OnnxScorer autoencoder;
  private InputDigester digester;
  private Screen imageStage;
  private ExecutorService pool;
  private String prompt1k;
  private InvisibleCharScanner scanner;
  private PromptInjectionClassifier injection;
  private int next;

  @Setup
  public void setup() throws Exception {
    SplittableRandom r = new SplittableRandom(1);
    images784 = new float[1024][784];
    for (float[] img : images784) for (int i = 0; i < img.length; i++) img[i] = (float) Math.floor(r.nextDouble(0, 256));
    fp784 = Fingerprinter.create(FingerprintParams.IMAGE_0_255);
    fp64 = Fingerprinter.create(FingerprintParams.DIGITS_8X8);
    store784 = new InMemoryQueryStore(STORE_ENTRIES, 50, Duration.ofHours(1).toMillis(), System::currentTimeMillis);
    float[] img = new float[784];
    for (int k = 0; k < STORE_ENTRIES; k++) {
      for (int i = 0; i < img.length; i++) img[i] = (float) Math.floor(r.nextDouble(0, 256));
      store784.checkAndAdd("warm", fp784.fingerprint(img), 25);
    }
    Dataset.Split s = Recipes.digitsSplit();
    digits = Datasets.digits().x();
    MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, 25);
    autoencoder = OnnxScorer.fromBytes(ae.toOnnx(), MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
    digester = new InputDigester(DigestKey.generate());
    InMemoryQueryStore digitStore = new InMemoryQueryStore(100_000, 50, Duration.ofHours(1).toMillis(), System::currentTimeMillis);
    DetectorRegistry reg = new DetectorRegistry()
        .register("query-store", new QueryAttackDetector(fp64, digitStore))
        .register("autoencoder", new OnnxScoreDetector("autoencoder", autoencoder, 1.0));
    pool = Screen.newExecutor(2, 256);
    imageStage = new Screen(List.of(ScreenConfig.of("query-store", null, 50L, "fail-open"),
        ScreenConfig.of("autoencoder", null, 50L, "fail-open")), reg, pool, null);
    StringBuilder sb = new StringBuilder("Please summarise the following notes for my team. ");
    while (sb.length() < 1024) sb.append("The quarterly review covered budgets, hiring plans and the new office move. ");
    prompt1k = sb.substring(0, 1024);
    scanner = new InvisibleCharScanner();
    injection = PromptInjectionClassifier.trainDefault();
  }

  @TearDown
  public void tearDown() throws Exception {
    pool.shutdownNow();
    autoencoder.close();
    injection.close();
  }

  @Benchmark
  public long[] fingerprint784() {
    return fp784.fingerprint(images784[next++ & 1023]);
  }

  @Benchmark
  public long[] fingerprint64() {
    return fp64.fingerprint(digits[next++ % digits.length]);
  }

  @Benchmark
  public Object storeCheck784() {
    return store784.checkAndAdd("bench", fp784.fingerprint(images784[next++ & 1023]), 25);
  }

  @Benchmark
  public float autoencoderScore() throws Exception {
    return autoencoder.score(digits[next++ % digits.length]);
  }

  @Benchmark
  public Object digest784() {
    return digester.digest("mnist", "1", List.of(Tensor.ofFloats("input", new long[] {1, 784}, images784[next++ & 1023])));
  }

  @Benchmark
  public ScreenResult imageStage() {
    float[] d = digits[next++ % digits.length].clone();
    d[next % 64] = (next >>> 6) % 17; // keep inputs distinct across the run
    return imageStage.screen(ScreenInput.ofTensors("bench", "digits", "digits",
        List.of(Tensor.ofFloats("input", new long[] {1, 64}, d))), null);
  }

  @Benchmark
  public Object textScan1k() {
    return scanner.scan(prompt1k);
  }

  @Benchmark
  public float injection1k() throws Exception {
    return injection.score(prompt1k);
  }
}
