package dev.warden.bench.screening;

import dev.warden.detectors.attack.HopSkipJumpAttack;
import dev.warden.detectors.attack.NesAttack;
import dev.warden.detectors.attack.ScoreOracle;
import dev.warden.detectors.attack.SquareAttack;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.onnx.Calibration;
import dev.warden.detectors.onnx.MagNetAutoencoder;
import dev.warden.detectors.onnx.OnnxScoreDetector;
import dev.warden.detectors.onnx.OnnxScorer;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.detectors.screen.DetectorRegistry;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenConfig;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.screen.ScreenResult;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;

/**
 * Evaluation of the image screens against query-based black-box attacks on the demo digits model
 * ({@link Recipes#digitsMlp}, the gateway demo's recipe), in process: every attack query goes
 * through the real {@link Screen} (Blacklight query store + MagNet autoencoder) and the response
 * policy, then to the model.
 *
 * <p>Measures: benign false-positive rate (held-out digits streamed once in random order), flag rate
 * of benign near-duplicates (1-pixel shift, +1 brightness), and per attack (Square L-inf, NES
 * L-inf, HopSkipJump L2), adaptive variant (query blinding with Gaussian noise sigma in {0.01,
 * 0.02, 0.05} of the pixel range; account rotation every 10 queries) and response policy (audit,
 * block, silent, throttle): share of runs detected before success, median / p90 queries to the
 * first flag, share of attack queries flagged (per screen), true attack success (checked on the
 * real model), store bytes per query. Writes a PNG of the share of runs detected against queries
 * spent. Prints JSON lines.
 *
 * <p>Run: {@code bench/screening.sh eval [--runs N] [--out DIR]}.
 */
public final class ScreeningEvaluation {
  static final float SQUARE_EPS = 1.0f;
  static final float NES_EPS = 1.0f;
  static final double HSJ_L2 = 9.0;
  static final int BUDGET = 300;

  private final DenseNetwork model;
  private final OnnxScorer autoencoder;
  private final double aeThreshold;
  private final ExecutorService pool = Screen.newExecutor(2, 256);
  private final Dataset evaluation;
  private final Dataset heldOut;
  /** One secret salt and key per evaluation (drawn from SecureRandom), shared by every configuration so
   *  policies and variants are compared on the same quantisation grid. */
  private final float salt;
  private final long k0;
  private final long k1;

  interface Attack {
    SquareAttack.Result run(ScoreOracle o, float[] x, int label, long seed);
  }

  record AttackSpec(String name, Attack attack, boolean linf, double radius) {}

  record Variant(String name, double blind, int rotate) {}

  ScreeningEvaluation() throws Exception {
    Dataset.Split s = Recipes.digitsSplit();
    model = Recipes.digitsMlp(s.train());
    heldOut = s.test();
    Dataset.Split halves = s.test().stratifiedSplit(0.5, 3);
    MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, 25);
    autoencoder = OnnxScorer.fromBytes(ae.toOnnx(), MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
    aeThreshold = Calibration.thresholdAtFpr(autoencoder.scoreBatch(halves.train().x()), 0.01);
    evaluation = halves.test();
    java.security.SecureRandom sr = new java.security.SecureRandom();
    salt = sr.nextFloat() * FingerprintParams.DIGITS_8X8.saltRange() * FingerprintParams.DIGITS_8X8.step();
    k0 = sr.nextLong();
    k1 = sr.nextLong();
  }

  Defence defence() {
    InMemoryQueryStore store = InMemoryQueryStore.create(100_000, FingerprintParams.DIGITS_8X8, Duration.ofHours(1));
    DetectorRegistry reg = new DetectorRegistry()
        .register("query-store", new QueryAttackDetector(Fingerprinter.withSecrets(FingerprintParams.DIGITS_8X8, salt, k0, k1), store))
        .register("autoencoder", new OnnxScoreDetector("autoencoder", autoencoder, aeThreshold));
    Screen screen = new Screen(List.of(ScreenConfig.of("query-store", null, 200L, "fail-open"),
        ScreenConfig.of("autoencoder", null, 200L, "fail-open")), reg, pool, null);
    return new Defence(store, screen);
  }

  record Defence(InMemoryQueryStore store, Screen screen) {}

  static ScreenResult screen(Defence d, String tenant, float[] x) {
    return d.screen().screen(ScreenInput.ofTensors(tenant, "digits", "digits", List.of(Tensor.ofFloats("input", new long[] {1, 64}, x))), null);
  }

  void benign() {
    Defence d = defence();
    float[][] xs = heldOut.x();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) order.add(i);
    java.util.Collections.shuffle(order, new Random(17));
    int storeFlags = 0;
    int aeFlags = 0;
    for (int i : order) {
      ScreenResult r = screen(d, "benign-" + (i % 5), xs[i]);
      if (r.verdicts().get(0).flagged()) storeFlags++;
      if (r.verdicts().get(1).flagged()) aeFlags++;
    }
    float[] evalScores;
    try {
      evalScores = autoencoder.scoreBatch(evaluation.x());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    double aeFprEval = Calibration.rateAtOrAbove(evalScores, aeThreshold);
    int shiftFlags = 0;
    int brightFlags = 0;
    for (int i : order) {
      float[] shifted = new float[64];
      for (int r = 0; r < 8; r++) for (int c = 1; c < 8; c++) shifted[r * 8 + c] = xs[i][r * 8 + c - 1];
      float[] bright = xs[i].clone();
      for (int k = 0; k < 64; k++) bright[k] = Math.min(16, bright[k] + 1);
      if (screen(d, "benign", shifted).verdicts().get(0).flagged()) shiftFlags++;
      if (screen(d, "benign", bright).verdicts().get(0).flagged()) brightFlags++;
    }
    long bytes = d.store().memoryBytes();
    System.out.println(json("kind", "benign", "distinct_images", xs.length, "store_fpr", (double) storeFlags / xs.length,
        "autoencoder_fpr_stream", (double) aeFlags / xs.length, "autoencoder_fpr_heldout_half", aeFprEval,
        "near_dup_shift1px_flag_rate", (double) shiftFlags / xs.length, "near_dup_brightness_flag_rate", (double) brightFlags / xs.length,
        "store_bytes_per_query_at_capacity", (double) bytes / 100_000));
  }

  List<Integer> runAll(AttackSpec a, Variant v, DefendedOracle.Policy p, int runs, LinePlot plot) {
    Defence d = defence();
    int detected = 0;
    int longRuns = 0;
    int success = 0;
    long queries = 0;
    long flaggedStore = 0;
    long flaggedAe = 0;
    long flaggedAny = 0;
    List<Integer> firstFlags = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      int idx = (r * 13) % evaluation.size();
      float[] x = evaluation.row(idx);
      int label = evaluation.label(idx);
      if (model.predict(x) != label) continue; // attack only correctly classified inputs
      DefendedOracle o = new DefendedOracle(model, d.screen(), p, v.blind(), v.rotate(), "attacker-" + r, 1000 + r);
      SquareAttack.Result res = a.attack().run(o, x, label, 500 + r);
      boolean truly = model.predict(res.adversarial()) != label && withinRadius(a, x, res.adversarial());
      if (truly) success++;
      queries += o.queries;
      flaggedStore += o.flaggedStore;
      flaggedAe += o.flaggedAutoencoder;
      flaggedAny += o.flaggedAny;
      if (o.queries > 2) {
        longRuns++;
        boolean before = o.firstFlag > 0 && (!(truly && p == DefendedOracle.Policy.AUDIT) || o.firstFlag <= res.queries());
        if (before) detected++;
      }
      if (o.firstFlag > 0) firstFlags.add(o.firstFlag);
    }
    int attacked = firstFlagsDenominator(runs, evaluation);
    java.util.Collections.sort(firstFlags);
    System.out.println(json("attack", a.name(), "variant", v.name(), "policy", p.name().toLowerCase(Locale.ROOT), "runs", attacked,
        "attack_success", (double) success / attacked, "runs_longer_than_2", longRuns,
        "detected_before_success", longRuns == 0 ? Double.NaN : (double) detected / longRuns,
        "median_queries_to_first_flag", pct(firstFlags, 0.5), "p90_queries_to_first_flag", pct(firstFlags, 0.9),
        "attack_queries_flagged_any", (double) flaggedAny / queries, "flagged_by_store", (double) flaggedStore / queries,
        "flagged_by_autoencoder", (double) flaggedAe / queries, "mean_queries", (double) queries / attacked));
    if (plot != null && p == DefendedOracle.Policy.AUDIT) {
      double[] xs = new double[BUDGET + 1];
      double[] ys = new double[BUDGET + 1];
      for (int q = 0; q <= BUDGET; q++) {
        xs[q] = q;
        int c = 0;
        for (int f : firstFlags) if (f <= q) c++;
        ys[q] = (double) c / attacked;
      }
      plot.add(a.name() + " / " + v.name(), xs, ys);
    }
    return firstFlags;
  }

  private int firstFlagsDenominator(int runs, Dataset e) {
    int n = 0;
    for (int r = 0; r < runs; r++) {
      int idx = (r * 13) % e.size();
      if (model.predict(e.row(idx)) == e.label(idx)) n++;
    }
    return n;
  }

  static boolean withinRadius(AttackSpec a, float[] x, float[] adv) {
    if (a.linf()) {
      for (int i = 0; i < x.length; i++) if (Math.abs(adv[i] - x[i]) > a.radius() + 1e-4) return false;
      return true;
    }
    return HopSkipJumpAttack.l2(x, adv) <= a.radius() + 1e-6;
  }

  static double pct(List<Integer> sorted, double p) {
    if (sorted.isEmpty()) return Double.NaN;
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
  }

  static String json(Object... kv) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < kv.length; i += 2) {
      if (i > 0) sb.append(", ");
      sb.append('"').append(kv[i]).append("\": ");
      Object v = kv[i + 1];
      if (v instanceof Double d) sb.append(Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.4f", d));
      else if (v instanceof Number) sb.append(v);
      else sb.append('"').append(v).append('"');
    }
    return sb.append('}').toString();
  }

  public static void main(String[] args) throws Exception {
    int runs = 20;
    Path out = Path.of("bench/target-screening-eval");
    Path http = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--http" -> http = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --runs N, --out DIR, --http DEMO_ENV)");
      }
    }
    if (http != null) {
      overHttp(http, runs);
      return;
    }
    Files.createDirectories(out);
    ScreeningEvaluation ev = new ScreeningEvaluation();
    ev.benign();
    List<AttackSpec> attacks = List.of(
        new AttackSpec("square", (o, x, l, s) -> new SquareAttack(8, 8, 0, 16, SQUARE_EPS, 0.3, BUDGET).run(o, x, l, s), true, SQUARE_EPS),
        new AttackSpec("nes", (o, x, l, s) -> new NesAttack(0, 16, NES_EPS, 0.5f, 0.25f, 20, BUDGET).run(o, x, l, s), true, NES_EPS),
        new AttackSpec("hopskipjump", (o, x, l, s) -> new HopSkipJumpAttack(0, 16, HSJ_L2, 20, BUDGET).run(o, x, l, s), false, HSJ_L2));
    List<Variant> variants = List.of(new Variant("plain", 0, 0), new Variant("blind-0.01", 0.01, 0), new Variant("blind-0.02", 0.02, 0),
        new Variant("blind-0.05", 0.05, 0), new Variant("rotate-10", 0, 10));
    LinePlot plot = new LinePlot("Share of attack runs flagged vs queries spent (digits demo model, audit policy)",
        "queries spent", "share of runs flagged");
    for (AttackSpec a : attacks) {
      for (Variant v : variants) {
        for (DefendedOracle.Policy p : DefendedOracle.Policy.values()) {
          ev.runAll(a, v, p, runs, plot);
        }
      }
    }
    Path png = out.resolve("screening-detection.png");
    plot.write(png, BUDGET, variants.size());
    System.out.println(json("plot", png.toString()));
    ev.pool.shutdownNow();
    ev.autoencoder.close();
  }

  /**
   * Attacks a running {@code warden demo} over HTTP (the gateway's own screening and response policy
   * apply). The client sees only answers and refusals (403/429): reported are true success (checked
   * on a local copy of the demo model, which the demo trains with the same deterministic recipe),
   * queries spent, refusals and the first refusal; benign held-out images are sent once first.
   */
  static void overHttp(Path env, int runs) throws Exception {
    Dataset.Split s = Recipes.digitsSplit();
    DenseNetwork local = Recipes.digitsMlp(s.train());
    HttpOracle benign = HttpOracle.fromEnvFile(env);
    int benignRefused = 0;
    for (int i = 0; i < s.test().size(); i++) {
      try {
        benign.query(s.test().row(i));
      } catch (ScoreOracle.Refused e) {
        benignRefused++;
      }
    }
    System.out.println(json("kind", "benign-http", "images", s.test().size(), "refused_rate", (double) benignRefused / s.test().size()));
    List<AttackSpec> attacks = List.of(
        new AttackSpec("square", (o, x, l, sd) -> new SquareAttack(8, 8, 0, 16, SQUARE_EPS, 0.3, BUDGET).run(o, x, l, sd), true, SQUARE_EPS),
        new AttackSpec("nes", (o, x, l, sd) -> new NesAttack(0, 16, NES_EPS, 0.5f, 0.25f, 20, BUDGET).run(o, x, l, sd), true, NES_EPS),
        new AttackSpec("hopskipjump", (o, x, l, sd) -> new HopSkipJumpAttack(0, 16, HSJ_L2, 20, BUDGET).run(o, x, l, sd), false, HSJ_L2));
    for (AttackSpec a : attacks) {
      int success = 0;
      int refusedRuns = 0;
      long queries = 0;
      List<Integer> firstRefusals = new ArrayList<>();
      int attacked = 0;
      long rateLimited = 0;
      for (int r = 0; r < runs; r++) {
        int idx = (r * 13 + 7) % s.test().size();
        float[] x = s.test().row(idx);
        int label = s.test().label(idx);
        if (local.predict(x) != label) continue;
        attacked++;
        HttpOracle o = HttpOracle.fromEnvFile(env);
        SquareAttack.Result res = a.attack().run(o, x, label, 900 + r);
        if (local.predict(res.adversarial()) != label && withinRadius(a, x, res.adversarial())) success++;
        if (o.refused > 0) {
          refusedRuns++;
          firstRefusals.add(o.firstRefusal);
        }
        queries += o.queries;
        rateLimited += o.rateLimited;
      }
      java.util.Collections.sort(firstRefusals);
      System.out.println(json("attack-http", a.name(), "runs", attacked, "attack_success", (double) success / attacked,
          "runs_refused", (double) refusedRuns / attacked, "median_first_refusal", pct(firstRefusals, 0.5),
          "mean_queries", (double) queries / attacked, "rate_limited_retries", rateLimited));
    }
  }

  @SuppressWarnings("unused")
  private static String show(float[] a) { return Arrays.toString(a); }
}
