package dev.warden.crypto.secagg;

import java.security.SecureRandom;

/**
 * Maps real-valued updates to ring vectors and the ring sum back to a mean.
 *
 * <p>Each entry is clipped to [−c, c], shifted and scaled to [0, 2^b − 1] and rounded <em>stochastically</em>
 * (up with probability equal to the fractional part, drawn from a {@link SecureRandom}), so the encoding is
 * unbiased and one client's entry is off by less than one step Δ = 2c / (2^b − 1). The ring is chosen so that
 * n·(2^b − 1) plus a noise margin fits in the ring's signed range, so the sum of n encodings never wraps.
 *
 * <p>With {@link #weighted()} the client sends w·x (w ∈ [0, 1]) and one extra <em>weight coordinate</em> w,
 * both encoded the same way; the decoder divides Σ w·x by Σ w (weighted averaging, e.g. by example count).
 *
 * <p>Error after decoding the mean of s survivors: each entry is within Δ of the clipped mean (Σ of s
 * independent rounding errors each in (−Δ, Δ), zero-mean; its standard deviation is at most Δ/(2√s)), plus
 * the DP noise if any (σ_central·Δ/s for the mean).
 */
public final class FixedPointEncoding {
  /** Upper limit on b: keeps n·(2^b − 1) small enough for Z_2^64 at any cohort size we accept. */
  public static final int MAX_BITS = 30;

  private final double clip;
  private final int bits;
  private final boolean weighted;
  private final double clientNoiseSigma;
  private final double l2Clip;

  /** Without L2 clipping: see {@link #FixedPointEncoding(double, int, boolean, double, double)}. */
  public FixedPointEncoding(double clip, int bits, boolean weighted, double clientNoiseSigma) {
    this(clip, bits, weighted, clientNoiseSigma, 0);
  }

  /**
   * @param clip c &gt; 0, the clipping bound
   * @param bits b in [1, {@value #MAX_BITS}]
   * @param weighted whether a weight coordinate is appended
   * @param clientNoiseSigma σ of the discrete Gaussian each client adds, in quantisation steps (0 = no DP)
   * @param l2Clip if &gt; 0, each update is first scaled down to this L2 norm (bounds the L2 sensitivity
   *     that {@link DistributedDp} accounts for)
   */
  public FixedPointEncoding(double clip, int bits, boolean weighted, double clientNoiseSigma, double l2Clip) {
    if (!(clip > 0) || Double.isInfinite(clip)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "clip bound must be positive and finite");
    if (bits < 1 || bits > MAX_BITS) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "bits must be in [1, " + MAX_BITS + "], got " + bits);
    if (!(clientNoiseSigma >= 0) || Double.isInfinite(clientNoiseSigma)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "noise σ must be ≥ 0 and finite");
    this.clip = clip;
    this.bits = bits;
    this.weighted = weighted;
    if (!(l2Clip >= 0) || Double.isInfinite(l2Clip)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "L2 clip must be ≥ 0 and finite");
    this.clientNoiseSigma = clientNoiseSigma;
    this.l2Clip = l2Clip;
  }

  /** L2 clipping norm (0 = none). */
  public double l2Clip() {
    return l2Clip;
  }

  public double clip() {
    return clip;
  }

  public int bits() {
    return bits;
  }

  public boolean weighted() {
    return weighted;
  }

  public double clientNoiseSigma() {
    return clientNoiseSigma;
  }

  /** 2^b − 1. */
  public long levels() {
    return (1L << bits) - 1;
  }

  /** Δ = 2c / (2^b − 1): one quantisation step in update units. */
  public double step() {
    return 2 * clip / levels();
  }

  /** Length of the ring vector for a model of {@code modelLength} entries. */
  public int vectorLength(int modelLength) {
    return weighted ? modelLength + 1 : modelLength;
  }

  /** Model length for a ring vector of {@code vectorLength} entries. */
  public int modelLength(int vectorLength) {
    return weighted ? vectorLength - 1 : vectorLength;
  }

  /**
   * The smallest ring in which the sum of {@code n} encodings (plus 20 σ of the summed noise, if any) cannot
   * wrap in the signed reading.
   */
  public Ring ringFor(int n) {
    double margin = clientNoiseSigma > 0 ? 20 * clientNoiseSigma * Math.sqrt(n) + 1 : 0;
    double max = (double) n * levels() + margin;
    if (max < Ring.Z2_32.maxSignedSum()) return Ring.Z2_32;
    if (max < 0x1p62) return Ring.Z2_64;
    throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "cohort of " + n + " at " + bits + " bits cannot fit even Z_2^64");
  }

  /** Encodes with weight 1 (or unweighted). */
  public long[] encode(float[] update, SecureRandom random) {
    return encode(update, 1.0, random);
  }

  /** Clip, scale by weight (if weighted), stochastically round; entries in [0, 2^b − 1]. */
  public long[] encode(float[] update, double weight, SecureRandom random) {
    if (weighted && !(weight >= 0 && weight <= 1)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "weight must lie in [0, 1]");
    if (!weighted && weight != 1.0) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "this encoding has no weight coordinate");
    long[] out = new long[vectorLength(update.length)];
    double scale = 1.0;
    if (l2Clip > 0) {
      double norm = 0;
      for (float f : update) norm += (double) f * f;
      norm = Math.sqrt(norm);
      if (norm > l2Clip) scale = l2Clip / norm;
    }
    for (int i = 0; i < update.length; i++) {
      double x = update[i];
      if (Double.isNaN(x)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "update entry " + i + " is NaN");
      x = Math.max(-clip, Math.min(clip, x * scale));
      out[i] = quantise(weighted ? weight * x : x, random);
    }
    if (weighted) out[update.length] = stochasticRound(weight * levels(), random);
    return out;
  }

  private long quantise(double x, SecureRandom random) {
    double q = (x + clip) / (2 * clip) * levels();
    return Math.max(0, Math.min(levels(), stochasticRound(q, random)));
  }

  private static long stochasticRound(double q, SecureRandom random) {
    double f = Math.floor(q);
    double frac = q - f;
    return (long) f + (random.nextDouble() < frac ? 1 : 0);
  }

  /** Σ of the (clipped, weight-scaled) updates of {@code survivors} clients, from the ring sum. */
  public double[] decodeSum(long[] ringSum, Ring ring, int survivors) {
    int d = modelLength(ringSum.length);
    double[] out = new double[d];
    for (int i = 0; i < d; i++) out[i] = ring.toSigned(ringSum[i]) * step() - (double) survivors * clip;
    return out;
  }

  /** Σ of the weights (weighted encodings only). */
  public double decodeWeightSum(long[] ringSum, Ring ring) {
    if (!weighted) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "this encoding has no weight coordinate");
    return ring.toSigned(ringSum[ringSum.length - 1]) / (double) levels();
  }

  /** The mean: Σ w·x / Σ w if weighted, else Σ x / survivors. */
  public double[] decodeMean(long[] ringSum, Ring ring, int survivors) {
    double[] s = decodeSum(ringSum, ring, survivors);
    double denom = weighted ? decodeWeightSum(ringSum, ring) : survivors;
    if (!(denom > 0)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "total weight is not positive");
    for (int i = 0; i < s.length; i++) s[i] /= denom;
    return s;
  }

  void writeTo(ByteWriter w) {
    w.f64(clip).u8(bits).u8(weighted ? 1 : 0).f64(clientNoiseSigma).f64(l2Clip);
  }

  static FixedPointEncoding readFrom(ByteReader r) {
    double c = r.f64();
    int b = r.u8();
    int wt = r.u8();
    double s = r.f64();
    double l2 = r.f64();
    if (wt > 1) throw SecAggException.malformed("encoding: weighted flag must be 0 or 1");
    return new FixedPointEncoding(c, b, wt == 1, s, l2);
  }

  @Override
  public String toString() {
    return "FixedPointEncoding[clip=" + clip + ", bits=" + bits + ", weighted=" + weighted + ", clientNoiseSigma=" + clientNoiseSigma + ", l2Clip=" + l2Clip + "]";
  }
}
