package dev.warden.detectors.attack;

import java.util.Random;

/**
 * NES (Ilyas, Engstrom, Athalye, Lin, "Black-box Adversarial Attacks with Limited Queries and
 * Information", ICML 2018), untargeted, L-infinity, score-based: estimate the gradient of the margin
 * loss with {@code samples} antithetic Gaussian probes of scale {@code sigma}, then take a signed
 * step of size {@code stepSize} and project into the eps-ball. Reproducible (seeded {@link Random}).
 * An evaluation client, not part of the request path.
 */
public final class NesAttack {
  private final float lo;
  private final float hi;
  private final float eps;
  private final float sigma;
  private final float stepSize;
  private final int samples;
  private final int budget;

  /**
   * @param samples probes per gradient estimate (even; half antithetic)
   */
  public NesAttack(float lo, float hi, float eps, float sigma, float stepSize, int samples, int budget) {
    if (samples < 2 || samples % 2 != 0) throw new IllegalArgumentException("samples must be even and >= 2");
    this.lo = lo;
    this.hi = hi;
    this.eps = eps;
    this.sigma = sigma;
    this.stepSize = stepSize;
    this.samples = samples;
    this.budget = budget;
  }

  /** Attacks {@code x} of true class {@code label}. */
  public SquareAttack.Result run(ScoreOracle oracle, float[] x, int label, long seed) {
    Random rnd = new Random(seed);
    int n = x.length;
    float[] adv = x.clone();
    int queries = 0;
    try {
      queries++;
      if (SquareAttack.margin(oracle.query(adv), label) < 0) return new SquareAttack.Result(true, queries, adv, false);
      while (queries + samples + 1 <= budget) {
        double[] g = new double[n];
        for (int s = 0; s < samples / 2; s++) {
          double[] u = new double[n];
          for (int i = 0; i < n; i++) u[i] = rnd.nextGaussian();
          float[] plus = new float[n];
          float[] minus = new float[n];
          for (int i = 0; i < n; i++) {
            plus[i] = clip(adv[i] + (float) (sigma * u[i]));
            minus[i] = clip(adv[i] - (float) (sigma * u[i]));
          }
          float lp = SquareAttack.margin(oracle.query(plus), label);
          float lm = SquareAttack.margin(oracle.query(minus), label);
          queries += 2;
          for (int i = 0; i < n; i++) g[i] += (lp - lm) * u[i];
        }
        for (int i = 0; i < n; i++) {
          float step = adv[i] - (float) (stepSize * Math.signum(g[i]));
          adv[i] = clip(Math.max(x[i] - eps, Math.min(x[i] + eps, step)));
        }
        queries++;
        if (SquareAttack.margin(oracle.query(adv), label) < 0) return new SquareAttack.Result(true, queries, adv, false);
      }
      return new SquareAttack.Result(false, queries, adv, false);
    } catch (ScoreOracle.Refused e) {
      return new SquareAttack.Result(false, queries, adv, true);
    }
  }

  private float clip(float v) { return Math.max(lo, Math.min(hi, v)); }
}
