package dev.warden.detectors.attack;

import java.util.Random;

/**
 * The Square attack (Andriushchenko, Croce, Flammarion, Hein, ECCV 2020), untargeted, L-infinity,
 * score-based: start from vertical stripes of +-eps, then repeatedly re-draw the perturbation on one
 * random square of side {@code s} and keep it when the margin loss {@code log p_y - max_k!=y log p_k}
 * drops; success when it turns negative. The square's area fraction starts at {@code pInit} and
 * halves at the paper's iteration schedule (rescaled to the query budget).
 *
 * <p>An evaluation client (used by tests and the bench harness), not part of the request path.
 * Uses a seeded {@link Random} on purpose: attack runs must be reproducible.
 */
public final class SquareAttack {
  /** Result of one run. */
  public record Result(boolean success, int queries, float[] adversarial, boolean refused) {}

  private final int height;
  private final int width;
  private final float lo;
  private final float hi;
  private final float eps;
  private final double pInit;
  private final int budget;

  /**
   * @param height image rows
   * @param width image columns (one channel, row-major)
   * @param lo smallest valid pixel value
   * @param hi largest valid pixel value
   * @param eps L-infinity radius
   * @param pInit initial fraction of pixels in the square (the paper uses 0.05 to 0.3)
   * @param budget maximum number of queries
   */
  public SquareAttack(int height, int width, float lo, float hi, float eps, double pInit, int budget) {
    this.height = height;
    this.width = width;
    this.lo = lo;
    this.hi = hi;
    this.eps = eps;
    this.pInit = pInit;
    this.budget = budget;
  }

  /** Attacks {@code x} of true class {@code label}. */
  public Result run(ScoreOracle oracle, float[] x, int label, long seed) {
    Random rnd = new Random(seed);
    int n = height * width;
    if (x.length != n) throw new IllegalArgumentException("input has " + x.length + " values, expected " + n);
    float[] best = new float[n];
    for (int c = 0; c < width; c++) {
      float d = rnd.nextBoolean() ? eps : -eps;
      for (int r = 0; r < height; r++) best[r * width + c] = clip(x[r * width + c] + d);
    }
    int queries = 0;
    float bestMargin;
    try {
      queries++;
      bestMargin = margin(oracle.query(best), label);
      if (bestMargin < 0) return new Result(true, queries, best, false);
      while (queries < budget) {
        double p = pSchedule(queries);
        int s = (int) Math.max(1, Math.min(Math.round(Math.sqrt(p * n)), Math.min(height, width) - 1));
        int r0 = rnd.nextInt(height - s + 1);
        int c0 = rnd.nextInt(width - s + 1);
        float[] cand = best.clone();
        boolean changed = false;
        for (int attempt = 0; attempt < 10 && !changed; attempt++) {
          float d = rnd.nextBoolean() ? eps : -eps;
          for (int r = r0; r < r0 + s; r++) {
            for (int c = c0; c < c0 + s; c++) {
              int i = r * width + c;
              cand[i] = clip(x[i] + d);
              if (cand[i] != best[i]) changed = true;
            }
          }
        }
        if (!changed) continue;
        queries++;
        float m = margin(oracle.query(cand), label);
        if (m < bestMargin) {
          bestMargin = m;
          best = cand;
          if (m < 0) return new Result(true, queries, best, false);
        }
      }
      return new Result(false, queries, best, false);
    } catch (ScoreOracle.Refused e) {
      return new Result(false, queries, best, true);
    }
  }

  private double pSchedule(int it) {
    // the paper's schedule for 10k queries, rescaled to the budget
    double t = it * 10000.0 / Math.max(budget, 1);
    double p = pInit;
    int[] marks = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
    for (int m : marks) if (t > m) p /= 2;
    return p;
  }

  private float clip(float v) { return Math.max(lo, Math.min(hi, v)); }

  /** Margin loss on log-probabilities: positive while the true class still wins. */
  static float margin(float[] probs, int label) {
    float other = 0;
    for (int k = 0; k < probs.length; k++) if (k != label) other = Math.max(other, probs[k]);
    return (float) (Math.log(probs[label] + 1e-12) - Math.log(other + 1e-12));
  }
}
