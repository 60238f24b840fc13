package dev.warden.crypto.secagg;

import dev.warden.crypto.dp.DiscreteGaussianSampler;
import dev.warden.crypto.dp.Rational;
import dev.warden.crypto.dp.Zcdp;
import java.math.BigDecimal;

/**
 * Distributed differential privacy for a round (Kairouz, Liu, Steinke, "The Distributed Discrete Gaussian
 * Mechanism for Federated Learning with Secure Aggregation", ICML 2021): each client adds independent
 * discrete Gaussian noise N_ℤ(0, σ_c²) to every entry of its encoded vector, using the exact sampler of
 * {@code dev.warden.crypto.dp} ({@link DiscreteGaussianSampler}). The server only sees the sum, which
 * carries the noise of all s survivors: variance ≈ s·σ_c². Choosing σ_c = σ / √(minimum survivors) gives at
 * least the central σ whenever the round completes.
 *
 * <p>Accounting: the sum of s independent N_ℤ(0, σ_c²) vectors in ℤ^d satisfies ½ε²-concentrated DP for
 * L2 sensitivity Δ₂ with ε = √(Δ₂²/(sσ_c²) + ½·τ·d), τ = 10·Σ_{k=1}^{s−1} exp(−2π²σ_c²·k/(k+1)) (KLS 2021,
 * Theorem 1, first term of the minimum). ρ = ε²/2 is turned into (ε, δ)-DP with the DP package's
 * {@link Zcdp#epsilonImproved}. Δ₂ is bounded in {@link #l2Sensitivity} for replacing one client's update.
 *
 * <h2>Security guarantees</h2>
 * The noise is exact and drawn from a {@code SecureRandom}-based DRBG (the DP package's guarantee). The
 * guarantee holds for the aggregate released to readers; it assumes the survivors' noise is honest
 * (colluding clients who skip their noise reduce σ to that of the honest survivors — see SECURITY-secagg.md).
 */
public final class DistributedDp {
  private DistributedDp() {}

  /** (ε, δ)-DP of one round's aggregate and the quantities behind it. */
  public record Guarantee(double centralSigma, double clientSigma, int survivors, int dimension, double l2Sensitivity,
      double rho, double epsilon, double delta) {}

  /** σ_c = σ / √minSurvivors: the per-client σ (in quantisation steps) for central σ. */
  public static double clientSigma(double centralSigma, int minSurvivors) {
    if (!(centralSigma > 0) || minSurvivors < 1) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "central σ must be > 0 and minimum survivors ≥ 1");
    return centralSigma / Math.sqrt(minSurvivors);
  }

  /** The encoded vector plus N_ℤ(0, σ_c²) per entry (σ_c from the encoding), reduced to the ring. */
  public static long[] addNoise(long[] encoded, FixedPointEncoding enc, Ring ring) {
    double sigma = enc.clientNoiseSigma();
    if (!(sigma > 0)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "this encoding has no noise (σ_c = 0)");
    DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaSquared(Rational.of(new BigDecimal(sigma * sigma)));
    long[] noise = new long[encoded.length];
    g.sample(noise);
    long[] out = new long[encoded.length];
    for (int i = 0; i < out.length; i++) out[i] = ring.reduce(encoded[i] + noise[i]);
    return out;
  }

  /**
   * Δ₂ in quantisation steps when one client's update is replaced by another: the data part is
   * min(2·C·L/(2c), L·√d) for L2 clip C (L = 2^b − 1, per-coordinate range L), plus 2√d for stochastic
   * rounding (each rounded entry is within 1 of its real value), plus L + 2 for a weight coordinate.
   */
  public static double l2Sensitivity(FixedPointEncoding enc, int modelLength) {
    double levels = enc.levels();
    double d = modelLength;
    double data = levels * Math.sqrt(d);
    if (enc.l2Clip() > 0) data = Math.min(data, 2 * enc.l2Clip() * levels / (2 * enc.clip()));
    double s = data + 2 * Math.sqrt(d);
    if (enc.weighted()) s = Math.sqrt(s * s + (levels + 2) * (levels + 2));
    return s;
  }

  /** The round's guarantee for {@code survivors} noisy contributions at δ. */
  public static Guarantee guarantee(FixedPointEncoding enc, int modelLength, int survivors, double delta) {
    double sc = enc.clientNoiseSigma();
    if (!(sc > 0)) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "this encoding adds no noise: no DP guarantee");
    if (survivors < 1) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "need at least one survivor");
    int dim = enc.vectorLength(modelLength);
    double tau = 0;
    for (int k = 1; k < survivors; k++) tau += Math.exp(-2 * Math.PI * Math.PI * sc * sc * k / (k + 1.0));
    tau *= 10;
    double delta2 = l2Sensitivity(enc, modelLength);
    double eps = Math.sqrt(delta2 * delta2 / (survivors * sc * sc) + 0.5 * tau * dim);
    double rho = eps * eps / 2;
    return new Guarantee(sc * Math.sqrt(survivors), sc, survivors, dim, delta2, rho, Zcdp.epsilonImproved(rho, delta), delta);
  }
}
