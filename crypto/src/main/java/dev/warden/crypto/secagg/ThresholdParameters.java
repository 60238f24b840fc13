package dev.warden.crypto.secagg;

/**
 * Neighbour-graph degree k and Shamir threshold t for a cohort, derived from its size n, the tolerated
 * dropout fraction δ and the tolerated fraction γ of clients colluding with the server. The derivation is
 * written out in {@code crypto/SECURITY-secagg.md}; in short:
 *
 * <p>A client's secrets are shared among its <em>closed neighbourhood</em>: its k neighbours plus itself,
 * m = k + 1 holders. Three conditions must hold for every client:
 * <ol>
 *   <li><b>Privacy:</b> colluding clients among the holders must stay below t, so with the shares the
 *       server legitimately receives (only one of the two secrets per client) they never reach t shares
 *       of the other secret;
 *   <li><b>Honest majority:</b> t &gt; m/2, so two disjoint sets of holders cannot both reach t (this is
 *       what makes "self-mask share or mask-key share, never both" hold even if the server lies about who
 *       dropped, together with the consistency check);
 *   <li><b>Correctness:</b> at least t holders survive to the unmask phase.
 * </ol>
 * <p>Small cohorts (n ≤ {@link #COMPLETE_GRAPH_MAX}) use the complete graph and the worst-case rule:
 * t = max(⌊γn⌋ + 1, ⌊n/2⌋ + 1), and n − t ≥ ⌈δn⌉ must hold. Large cohorts use a random k-regular
 * Harary-style graph with the smallest even k for which some t meets, with the number of corrupt
 * neighbours ~ Bin(k, γ) and of dropped holders ~ Bin(m, δ) and a union bound over the n clients:
 * n·Pr[Bin(k, γ) ≥ t] ≤ 2^−σ (σ = {@link #SECURITY_BITS}) and n·Pr[Bin(m, δ) &gt; m − t] ≤ 2^−η
 * (η = {@link #CORRECTNESS_BITS}); t is the smallest value meeting privacy and majority (most robust).
 * If no even k &lt; n − 1 qualifies, the complete graph with the worst-case rule is used.
 */
public final class ThresholdParameters {
  /** Cohorts up to this size use the complete graph: cost O(n) per client is still small here. */
  public static final int COMPLETE_GRAPH_MAX = 128;
  /** Statistical security parameter σ for the sparse-graph privacy failure probability 2^−σ. */
  public static final int SECURITY_BITS = 40;
  /** Correctness parameter η: a round fails for lack of shares with probability ≤ 2^−η at rate δ. */
  public static final int CORRECTNESS_BITS = 20;

  private final int n;
  private final boolean complete;
  private final int degree;
  private final int threshold;

  private ThresholdParameters(int n, boolean complete, int degree, int threshold) {
    this.n = n;
    this.complete = complete;
    this.degree = degree;
    this.threshold = threshold;
  }

  /** Explicit parameters (validated): complete graph iff degree == n − 1. */
  public static ThresholdParameters of(int n, int degree, int threshold) {
    if (n < 2) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "a cohort needs at least 2 clients, got " + n);
    if (degree < 2 || degree > n - 1) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "degree " + degree + " not in [2, " + (n - 1) + "]");
    boolean complete = degree == n - 1;
    if (!complete && degree % 2 != 0) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "sparse (Harary) graph degree must be even, got " + degree);
    int m = degree + 1;
    if (threshold <= m / 2 || threshold > m) {
      throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "threshold " + threshold + " must be a majority of the " + m + " holders and at most " + m);
    }
    return new ThresholdParameters(n, complete, degree, threshold);
  }

  /** Derives (k, t) as described in the class comment. */
  public static ThresholdParameters derive(int n, double dropoutFraction, double corruptionFraction) {
    if (n < 2) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "a cohort needs at least 2 clients, got " + n);
    if (!(dropoutFraction >= 0 && dropoutFraction < 0.5) || !(corruptionFraction >= 0 && corruptionFraction < 0.5)) {
      throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "dropout and corruption fractions must lie in [0, 0.5)");
    }
    if (n > COMPLETE_GRAPH_MAX) {
      double logUnion = Math.log(n);
      double secLog = -SECURITY_BITS * Math.log(2);
      double corLog = -CORRECTNESS_BITS * Math.log(2);
      for (int k = 2; k < n - 1; k += 2) {
        int m = k + 1;
        int t = m / 2 + 1; // honest majority of the holders
        while (t <= m && logUnion + logUpperTail(k, corruptionFraction, t) > secLog) t++; // privacy
        if (t <= m && logUnion + logUpperTail(m, dropoutFraction, m - t + 1) <= corLog) { // correctness
          return new ThresholdParameters(n, false, k, t);
        }
      }
      // no sparse degree works (e.g. high dropout just above the cut-over): fall back to the complete graph
    }
    int t = Math.max((int) Math.floor(corruptionFraction * n) + 1, n / 2 + 1);
    int dropouts = (int) Math.ceil(dropoutFraction * n - 1e-9);
    if (n - t < dropouts) {
      throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "a cohort of " + n + " with threshold " + t
          + " tolerates " + (n - t) + " dropouts, fewer than the " + dropouts + " asked for");
    }
    return new ThresholdParameters(n, true, n - 1, t);
  }

  /** ln Pr[Bin(k, p) ≥ s] (−∞ if impossible). */
  static double logUpperTail(int k, double p, int s) {
    if (s <= 0) return 0.0;
    if (s > k) return Double.NEGATIVE_INFINITY;
    if (p <= 0) return Double.NEGATIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double[] terms = new double[k - s + 1];
    for (int i = s; i <= k; i++) {
      double lt = logChoose(k, i) + i * Math.log(p) + (k - i) * Math.log1p(-p);
      terms[i - s] = lt;
      max = Math.max(max, lt);
    }
    double sum = 0;
    for (double lt : terms) sum += Math.exp(lt - max);
    return max + Math.log(sum);
  }

  private static double logChoose(int k, int i) {
    double r = 0;
    for (int j = 1; j <= i; j++) r += Math.log(k - i + j) - Math.log(j);
    return r;
  }

  public int cohortSize() {
    return n;
  }

  public boolean completeGraph() {
    return complete;
  }

  /** Neighbours per client (n − 1 for the complete graph). */
  public int degree() {
    return degree;
  }

  /** Shares needed to reconstruct a secret, out of degree + 1 holders. */
  public int threshold() {
    return threshold;
  }

  @Override
  public String toString() {
    return "ThresholdParameters[n=" + n + (complete ? ", complete graph" : ", Harary k=" + degree) + ", t=" + threshold + "]";
  }
}
