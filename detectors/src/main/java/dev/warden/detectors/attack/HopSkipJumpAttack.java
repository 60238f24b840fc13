package dev.warden.detectors.attack;

import java.util.Random;

/**
 * HopSkipJump (Chen, Jordan, Wainwright, "HopSkipJumpAttack: A Query-Efficient Decision-Based
 * Attack", IEEE S&amp;P 2020), untargeted, L2, decision-based (only the top label is used): start
 * from a misclassified random input, binary-search to the decision boundary, then repeat: estimate
 * the boundary's normal from {@code probes} random unit directions, step along it with a geometric
 * step-size search, and binary-search back to the boundary. Success when the adversarial example is
 * within {@code epsL2} of the original. Reproducible (seeded {@link Random}). An evaluation client,
 * not part of the request path.
 */
public final class HopSkipJumpAttack {
  private final float lo;
  private final float hi;
  private final double epsL2;
  private final int probes;
  private final int budget;

  public HopSkipJumpAttack(float lo, float hi, double epsL2, int probes, int budget) {
    this.lo = lo;
    this.hi = hi;
    this.epsL2 = epsL2;
    this.probes = probes;
    this.budget = budget;
  }

  private final class Counter {
    final ScoreOracle oracle;
    final int label;
    int queries;

    Counter(ScoreOracle oracle, int label) {
      this.oracle = oracle;
      this.label = label;
    }

    boolean adversarial(float[] x) throws ScoreOracle.Refused {
      if (queries >= budget) throw new Budget();
      queries++;
      float[] p = oracle.query(x);
      int best = 0;
      for (int k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
      return best != label;
    }
  }

  private static final class Budget extends RuntimeException {
    private static final long serialVersionUID = 1L;
    Budget() { super(null, null, false, false); }
  }

  /** Attacks {@code x} of true class {@code label}. */
  public SquareAttack.Result run(ScoreOracle oracle, float[] x, int label, long seed) {
    Random rnd = new Random(seed);
    int n = x.length;
    Counter c = new Counter(oracle, label);
    float[] best = null;
    try {
      float[] start = null;
      for (int t = 0; t < 50 && start == null; t++) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = lo + rnd.nextFloat() * (hi - lo);
        if (c.adversarial(r)) start = r;
      }
      if (start == null) return new SquareAttack.Result(false, c.queries, x.clone(), false);
      best = boundary(c, x, start);
      double delta = 0.1 * (hi - lo);
      while (true) {
        if (l2(best, x) <= epsL2) return new SquareAttack.Result(true, c.queries, best, false);
        // gradient direction estimate at the boundary point
        double[] g = new double[n];
        int pos = 0;
        double[][] us = new double[probes][];
        boolean[] adv = new boolean[probes];
        for (int b = 0; b < probes; b++) {
          double[] u = new double[n];
          double norm = 0;
          for (int i = 0; i < n; i++) {
            u[i] = rnd.nextGaussian();
            norm += u[i] * u[i];
          }
          norm = Math.sqrt(norm);
          float[] q = new float[n];
          for (int i = 0; i < n; i++) {
            u[i] /= norm;
            q[i] = clip((float) (best[i] + delta * u[i]));
          }
          us[b] = u;
          adv[b] = c.adversarial(q);
          if (adv[b]) pos++;
        }
        double mean = (double) pos / probes;
        for (int b = 0; b < probes; b++) {
          double phi = (adv[b] ? 1 : -1) - (2 * mean - 1); // baseline-corrected
          for (int i = 0; i < n; i++) g[i] += phi * us[b][i];
        }
        double gn = 0;
        for (double v : g) gn += v * v;
        gn = Math.sqrt(gn);
        if (gn == 0) continue;
        double step = l2(best, x) / Math.sqrt(c.queries + 1.0);
        float[] cand = null;
        for (int k = 0; k < 10; k++, step /= 2) {
          float[] q = new float[n];
          for (int i = 0; i < n; i++) q[i] = clip((float) (best[i] + step * g[i] / gn));
          if (c.adversarial(q)) {
            cand = q;
            break;
          }
        }
        if (cand != null) best = boundary(c, x, cand);
        delta = Math.max(0.01 * (hi - lo), l2(best, x) * 0.05);
      }
    } catch (Budget b) {
      boolean ok = best != null && l2(best, x) <= epsL2;
      return new SquareAttack.Result(ok, c.queries, best == null ? x.clone() : best, false);
    } catch (ScoreOracle.Refused e) {
      return new SquareAttack.Result(false, c.queries, best == null ? x.clone() : best, true);
    }
  }

  /** Binary search on the segment from {@code x} (benign) to {@code adv} (adversarial). */
  private float[] boundary(Counter c, float[] x, float[] adv) throws ScoreOracle.Refused {
    double lo = 0;
    double hi = 1;
    float[] out = adv;
    for (int k = 0; k < 10; k++) {
      double mid = (lo + hi) / 2;
      float[] q = blend(x, adv, mid);
      if (c.adversarial(q)) {
        hi = mid;
        out = q;
      } else {
        lo = mid;
      }
    }
    return out;
  }

  private static float[] blend(float[] x, float[] adv, double t) {
    float[] q = new float[x.length];
    for (int i = 0; i < x.length; i++) q[i] = (float) ((1 - t) * x[i] + t * adv[i]);
    return q;
  }

  /** Euclidean distance. */
  public static double l2(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
    return Math.sqrt(s);
  }

  private float clip(float v) { return Math.max(lo, Math.min(hi, v)); }
}
