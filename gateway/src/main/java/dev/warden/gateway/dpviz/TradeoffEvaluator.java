package dev.warden.gateway.dpviz;

import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyCost;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Evaluates a model's held-out score when every output row is released through a {@link ReleaseSpec}, for each
 * per-query ε and several repetitions (fresh noise each time), next to the plain score, the maximum
 * membership-attack accuracy e^ε/(1+e^ε) and the number of queries a budget (ε_b, δ) allows.
 *
 * <p>Score: for probabilities and logits, accuracy of the arg-max of the released row against the label (ties,
 * e.g. a vector renormalised to uniform, broken uniformly at random); a row of width 1 is a binary score
 * thresholded at 0.5 (probabilities) or 0 (logits). For values, the mean absolute error of the first value.
 */
public final class TradeoffEvaluator {

  /**
   * What to evaluate.
   *
   * @param epsilons per-query ε values, each finite and &gt; 0
   * @param delta δ of the Gaussian's conversion and of the budget
   * @param repetitions passes over the data per ε
   * @param budgetEpsilon ε_b of the budget whose query count is reported
   */
  public record Settings(List<Double> epsilons, double delta, int repetitions, double budgetEpsilon) {
    public Settings {
      epsilons = List.copyOf(epsilons);
      if (epsilons.isEmpty()) {
        throw new IllegalArgumentException("no epsilons to evaluate");
      }
      for (double e : epsilons) {
        if (!(e > 0) || !Double.isFinite(e)) {
          throw new IllegalArgumentException("every epsilon must be finite and > 0, got " + e);
        }
      }
      if (!(delta > 0 && delta < 1)) {
        throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
      }
      if (repetitions < 1) {
        throw new IllegalArgumentException("repetitions must be >= 1, got " + repetitions);
      }
      if (!(budgetEpsilon > 0) || !Double.isFinite(budgetEpsilon)) {
        throw new IllegalArgumentException("budget epsilon must be finite and > 0, got " + budgetEpsilon);
      }
    }
  }

  /**
   * One per-query ε.
   *
   * @param epsilon per-query ε
   * @param rho ρ charged per query (rounded up to micro-units, as the ledger charges it)
   * @param noiseScale σ or b of the noise in output units (NaN for noisy-max)
   * @param scores the score of each repetition
   * @param mean mean score
   * @param std sample standard deviation of the scores (0 for one repetition)
   * @param attackAccuracy e^ε/(1+e^ε): the maximum membership-attack accuracy of an ε-DP release
   * @param epsilonAtDelta the ε one query satisfies at δ (differs from ε for a Gaussian calibrated as ε²/2)
   * @param attackBoundAtDelta (e^ε'+δ')/(1+e^ε') at ε' = epsilonAtDelta, δ' = δ (Gaussian) or 0 (pure)
   * @param queriesAllowed queries the budget (ε_b, δ) allows at this per-query cost
   */
  public record Point(double epsilon, double rho, double noiseScale, double[] scores, double mean, double std,
      double attackAccuracy, double epsilonAtDelta, double attackBoundAtDelta, long queriesAllowed) {}

  /**
   * The evaluation.
   *
   * @param spec the mechanism
   * @param settings what was evaluated
   * @param metric "accuracy" or "mae"
   * @param plainScore the score without noise
   * @param rows held-out rows
   * @param points one per ε, in the order given
   */
  public record Result(ReleaseSpec spec, Settings settings, String metric, double plainScore, int rows,
      List<Point> points) {}

  private TradeoffEvaluator() {}

  /** e^ε/(1+e^ε), computed stably for large ε. */
  public static double maxAttackAccuracy(double epsilon) {
    return 1.0 / (1.0 + Math.exp(-epsilon));
  }

  /** (e^ε+δ)/(1+e^ε): the bound for an (ε, δ)-DP release. */
  public static double maxAttackAccuracy(double epsilon, double delta) {
    return maxAttackAccuracy(epsilon) + delta / (1.0 + Math.exp(epsilon));
  }

  /**
   * Runs the evaluation on plain model outputs.
   *
   * @param outputs the model's plain output per row (from {@link ModelOutputs})
   * @param labels the label per row
   */
  public static Result evaluate(double[][] outputs, double[] labels, ReleaseSpec spec, Settings settings) {
    Objects.requireNonNull(outputs, "outputs");
    Objects.requireNonNull(labels, "labels");
    if (outputs.length != labels.length || outputs.length == 0) {
      throw new IllegalArgumentException(outputs.length + " output rows but " + labels.length + " labels");
    }
    for (double[] o : outputs) {
      if (o.length != spec.dimension()) {
        throw new IllegalArgumentException("the model's output rows have " + o.length + " values but the "
            + "mechanism's dimension is " + spec.dimension());
      }
    }
    String metric = spec.outputKind() == ReleaseSpec.OutputKind.VALUES ? "mae" : "accuracy";
    if (metric.equals("accuracy") && spec.dimension() > 1) {
      for (int i = 0; i < labels.length; i++) {
        double y = labels[i];
        if (y != Math.rint(y) || y < 0 || y >= spec.dimension()) {
          throw new IllegalArgumentException("row " + (i + 1) + " has label " + y + ", not a class index 0.."
              + (spec.dimension() - 1));
        }
      }
    }
    SecureRandom ties = new SecureRandom();
    double plain = score(outputs, labels, spec, metric, row -> row, ties);
    PrivacyBudget budget = PrivacyBudget.ofEpsilonDelta(settings.budgetEpsilon(), settings.delta());
    List<Point> points = new ArrayList<>();
    for (double eps : settings.epsilons()) {
      try (ReleaseSpec.Release release = spec.at(eps, settings.delta())) {
        double[] scores = new double[settings.repetitions()];
        for (int r = 0; r < scores.length; r++) {
          scores[r] = score(outputs, labels, spec, metric, release::apply, ties);
        }
        PrivacyCost cost = release.cost();
        double epsAtDelta = spec.epsilonAtDelta(eps, settings.delta());
        double bound = spec.pure() ? maxAttackAccuracy(epsAtDelta)
            : maxAttackAccuracy(epsAtDelta, settings.delta());
        points.add(new Point(eps, cost.rho(), release.noiseScale(), scores, mean(scores), std(scores),
            maxAttackAccuracy(eps), epsAtDelta, bound, budget.releasesRemaining(0, cost)));
      }
    }
    return new Result(spec, settings, metric, plain, labels.length, List.copyOf(points));
  }

  private static double score(double[][] outputs, double[] labels, ReleaseSpec spec, String metric,
      java.util.function.UnaryOperator<double[]> release, SecureRandom ties) {
    double total = 0;
    for (int i = 0; i < outputs.length; i++) {
      double[] out = release.apply(outputs[i]);
      if (metric.equals("mae")) {
        total += Math.abs(out[0] - labels[i]);
      } else if (out.length == 1) {
        double threshold = spec.outputKind() == ReleaseSpec.OutputKind.LOGITS ? 0 : 0.5;
        int predicted = out[0] > threshold ? 1 : 0;
        total += predicted == (int) labels[i] ? 1 : 0;
      } else {
        total += argMax(out, ties) == (int) labels[i] ? 1 : 0;
      }
    }
    return total / outputs.length;
  }

  static int argMax(double[] v, SecureRandom ties) {
    int best = 0;
    int count = 1;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
        count = 1;
      } else if (v[i] == v[best]) {
        count++;
        if (ties.nextInt(count) == 0) { // reservoir: each tied index equally likely
          best = i;
        }
      }
    }
    return best;
  }

  private static double mean(double[] s) {
    double t = 0;
    for (double v : s) {
      t += v;
    }
    return t / s.length;
  }

  private static double std(double[] s) {
    if (s.length < 2) {
      return 0;
    }
    double m = mean(s);
    double t = 0;
    for (double v : s) {
      t += (v - m) * (v - m);
    }
    return Math.sqrt(t / (s.length - 1));
  }
}
