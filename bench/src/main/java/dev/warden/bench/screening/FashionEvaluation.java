package dev.warden.bench.screening;

import dev.warden.detectors.attack.HopSkipJumpAttack;
import dev.warden.detectors.attack.NesAttack;
import dev.warden.detectors.attack.SquareAttack;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.detectors.screen.DetectorRegistry;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenConfig;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.train.Activation;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The harder case of the issue: an MLP on Fashion-MNIST (28x28, 0..255; Debian package
 * {@code dataset-fashion-mnist}) behind the Blacklight store with the published image parameters
 * ({@link FingerprintParams#IMAGE_0_255}: step 50, w 20, p 10, S 50, T 25). Benign false-positive
 * rate over distinct test images streamed once; Square (L-inf 0.1), NES (L-inf 0.1) and HopSkipJump
 * (L2 2.0, in 0..1 units) with and without query blinding; audit / block / silent policies.
 * The model is trained by the project's trainer on a subset (CPU budget of a shared machine).
 *
 * <p>Run: {@code bench/screening.sh fashion [--runs N] [--train N] [--benign N]}.
 */
public final class FashionEvaluation {
  static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
  static final float MAX = 255f;
  static final int BUDGET = 300;

  public static void main(String[] args) throws Exception {
    int runs = 10;
    int trainRows = 10_000;
    int benignRows = 10_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--train" -> trainRows = Integer.parseInt(args[++i]);
        case "--benign" -> benignRows = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --runs N, --train N, --benign N)");
      }
    }
    if (!Files.isDirectory(DIR)) {
      throw new IllegalStateException(DIR + " is missing: apt-get install -y dataset-fashion-mnist");
    }
    Dataset train = Datasets.idx(DIR.resolve("train-images-idx3-ubyte.gz"), DIR.resolve("train-labels-idx1-ubyte.gz"), trainRows);
    Dataset test = Datasets.idx(DIR.resolve("t10k-images-idx3-ubyte.gz"), DIR.resolve("t10k-labels-idx1-ubyte.gz"), benignRows);
    float[] shift = new float[784];
    float[] scale = new float[784];
    Arrays.fill(scale, 1f / MAX);
    long t0 = System.nanoTime();
    DenseNetwork model = Trainer.builder()
        .dense(64, Activation.RELU).dense(10, Activation.SOFTMAX)
        .inputScaling(shift, scale)
        .learningRate(0.002).epochs(4).batchSize(64).l2(1e-5).seed(3)
        .build().fitClassifier(train);
    System.out.println(ScreeningEvaluation.json("kind", "fashion-model", "train_rows", train.size(), "test_accuracy", model.accuracy(test),
        "train_seconds", (System.nanoTime() - t0) / 1e9));

    ExecutorService pool = Screen.newExecutor(2, 256);
    java.security.SecureRandom sr = new java.security.SecureRandom();
    FingerprintParams fp = FingerprintParams.IMAGE_0_255;
    Fingerprinter fingerprinter = Fingerprinter.withSecrets(fp, sr.nextFloat() * fp.saltRange() * fp.step(), sr.nextLong(), sr.nextLong());

    // benign: distinct test images streamed once in random order
    InMemoryQueryStore store = InMemoryQueryStore.create(100_000, fp, Duration.ofHours(1));
    Screen screen = screen(fingerprinter, store, pool);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < test.size(); i++) order.add(i);
    Collections.shuffle(order, new java.util.Random(5));
    java.util.Set<String> seen = new java.util.HashSet<>();
    int distinct = 0;
    int flagged = 0;
    for (int i : order) {
      float[] x = test.row(i);
      if (!seen.add(Arrays.toString(x))) continue;
      distinct++;
      if (screen.screen(ScreenInput.ofTensors("benign-" + (i % 7), "fashion", "fashion",
          List.of(Tensor.ofFloats("input", new long[] {1, 784}, x))), null).flagged()) flagged++;
    }
    System.out.println(ScreeningEvaluation.json("kind", "fashion-benign", "distinct_images", distinct, "store_fpr", (double) flagged / distinct,
        "store_bytes_per_query_at_capacity", (double) store.memoryBytes() / 100_000));

    ScreeningEvaluation.AttackSpec[] attacks = {
        new ScreeningEvaluation.AttackSpec("square", (o, x, l, s) -> new SquareAttack(28, 28, 0, MAX, 0.1f * MAX, 0.05, BUDGET).run(o, x, l, s), true, 0.1 * MAX),
        new ScreeningEvaluation.AttackSpec("nes", (o, x, l, s) -> new NesAttack(0, MAX, 0.1f * MAX, 0.01f * MAX, 0.01f * MAX, 20, BUDGET).run(o, x, l, s), true, 0.1 * MAX),
        new ScreeningEvaluation.AttackSpec("hopskipjump", (o, x, l, s) -> new HopSkipJumpAttack(0, MAX, 2.0 * MAX, 20, BUDGET).run(o, x, l, s), false, 2.0 * MAX)};
    double[] blinds = {0, 0.01, 0.02, 0.05};
    for (ScreeningEvaluation.AttackSpec a : attacks) {
      for (double blind : blinds) {
        for (DefendedOracle.Policy p : blind == 0
            ? List.of(DefendedOracle.Policy.AUDIT, DefendedOracle.Policy.BLOCK, DefendedOracle.Policy.SILENT)
            : List.of(DefendedOracle.Policy.AUDIT)) {
          InMemoryQueryStore s = InMemoryQueryStore.create(100_000, fp, Duration.ofHours(1));
          Screen sc = screen(fingerprinter, s, pool);
          int attacked = 0;
          int success = 0;
          int longRuns = 0;
          int detected = 0;
          long queries = 0;
          long flaggedQ = 0;
          List<Integer> first = new ArrayList<>();
          for (int r = 0; r < runs; r++) {
            int idx = (r * 37) % test.size();
            float[] x = test.row(idx);
            int label = test.label(idx);
            if (model.predict(x) != label) continue;
            attacked++;
            DefendedOracle o = new DefendedOracle(model, sc, p, blind, 0, "attacker-" + r, 70 + r, MAX, "fashion");
            SquareAttack.Result res = a.attack().run(o, x, label, 300 + r);
            boolean truly = model.predict(res.adversarial()) != label && ScreeningEvaluation.withinRadius(a, x, res.adversarial());
            if (truly) success++;
            queries += o.queries;
            flaggedQ += o.flaggedStore;
            if (o.queries > 2) {
              longRuns++;
              if (o.firstFlag > 0 && (!(truly && p == DefendedOracle.Policy.AUDIT) || o.firstFlag <= res.queries())) detected++;
            }
            if (o.firstFlag > 0) first.add(o.firstFlag);
          }
          Collections.sort(first);
          System.out.println(ScreeningEvaluation.json("attack", "fashion-" + a.name(), "variant", blind == 0 ? "plain" : "blind-" + blind,
              "policy", p.name().toLowerCase(java.util.Locale.ROOT), "runs", attacked, "attack_success", (double) success / Math.max(1, attacked),
              "runs_longer_than_2", longRuns, "detected_before_success", longRuns == 0 ? Double.NaN : (double) detected / longRuns,
              "median_queries_to_first_flag", ScreeningEvaluation.pct(first, 0.5), "p90_queries_to_first_flag", ScreeningEvaluation.pct(first, 0.9),
              "attack_queries_flagged", (double) flaggedQ / Math.max(1, queries), "mean_queries", (double) queries / Math.max(1, attacked)));
        }
      }
    }
    pool.shutdownNow();
  }

  static Screen screen(Fingerprinter f, InMemoryQueryStore store, ExecutorService pool) {
    DetectorRegistry reg = new DetectorRegistry().register("query-store", new QueryAttackDetector(f, store));
    return new Screen(List.of(ScreenConfig.of("query-store", null, 500L, "fail-open")), reg, pool, null);
  }
}
