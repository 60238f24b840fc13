package dev.warden.crypto.dp;

import java.math.BigInteger;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exact sampler for the discrete Gaussian N_ℤ(0, σ²): {@code P(x) ∝ exp(-x²/(2σ²))} for every integer x
 * (Canonne–Kamath–Steinke 2020, Algorithm 3). σ² is an exact {@link Rational}; note that σ² is the
 * parameter of the distribution, its variance is slightly below σ² (CKS Prop. 19).
 *
 * <p>Example (secure aggregation: each client adds N_ℤ(0, σ²) to its quantised vector):
 * <pre>{@code
 * DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaSquared(Rational.of(400));   // σ = 20
 * long[] noise = new long[dim];
 * g.sample(noise);
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * Exact distribution; per-thread {@code SecureRandom} DRBG; immutable and thread-safe. Running time depends on
 * the sampled value (see {@link NoisePool}). Costs: on this project's reference machine well over 10^6
 * samples/s per core for σ between 1 and 1000 (long path while 2·σ²·(⌊σ⌋+1)² stays below 2^62, i.e.
 * σ up to about 40 000 for integer σ²); beyond that an exact BigInteger path is used.
 */
public final class DiscreteGaussianSampler implements IntegerNoiseSampler {

    private final Rational sigmaSquared;
    private final ExactSampling.Gaussian engine;
    private final Supplier<RandomBits> bits;

    private DiscreteGaussianSampler(Rational sigmaSquared, Supplier<RandomBits> bits) {
        Objects.requireNonNull(sigmaSquared, "sigmaSquared");
        if (sigmaSquared.isZero()) {
            throw new IllegalArgumentException("discrete Gaussian needs sigma^2 > 0");
        }
        this.sigmaSquared = sigmaSquared;
        this.engine = new ExactSampling.Gaussian(sigmaSquared);
        this.bits = bits;
    }

    /** N_ℤ(0, σ²) for an exact, positive σ². */
    public static DiscreteGaussianSampler withSigmaSquared(Rational sigmaSquared) {
        return new DiscreteGaussianSampler(sigmaSquared, SecureBits::forCurrentThread);
    }

    /** N_ℤ(0, σ²) for an integer σ ≥ 1. */
    public static DiscreteGaussianSampler withSigma(long sigma) {
        if (sigma < 1) {
            throw new IllegalArgumentException("sigma must be >= 1, got " + sigma);
        }
        return withSigmaSquared(Rational.of(BigInteger.valueOf(sigma).pow(2), BigInteger.ONE));
    }

    /**
     * N_ℤ(0, σ'²) for the smallest σ'² ≥ σ² of the form n/2^j that keeps the sampler on its fast {@code long} path
     * (j ≤ 16, chosen from σ alone): use this when σ comes from a double (a policy value, a calibration formula).
     * The noise is never smaller than asked for: σ² ≤ σ'² < σ² + 2^-j (j = 16 for σ up to about 160, smaller
     * beyond, where the relative error stays below 10^-4 up to σ = 10^4). {@code Rational.of(new BigDecimal(double))} would instead give a denominator
     * of up to 10^50 and force the slow BigInteger path.
     *
     * @throws IllegalArgumentException if σ is not finite or not positive
     */
    public static DiscreteGaussianSampler withSigmaAtLeast(double sigma) {
        if (!Double.isFinite(sigma) || sigma <= 0) {
            throw new IllegalArgumentException("sigma must be finite and > 0, got " + sigma);
        }
        java.math.BigDecimal s = new java.math.BigDecimal(sigma); // exact value of the double
        java.math.BigDecimal s2 = s.multiply(s);
        BigInteger limit = BigInteger.ONE.shiftLeft(62);
        for (int j = 16; j >= 0; j--) {
            BigInteger d = BigInteger.ONE.shiftLeft(j);
            BigInteger n = s2.multiply(new java.math.BigDecimal(d)).setScale(0, java.math.RoundingMode.CEILING)
                    .toBigIntegerExact();
            BigInteger tj = Rational.of(n, d).floorSqrt().add(BigInteger.ONE);
            if (BigInteger.TWO.multiply(n).multiply(d).multiply(tj).multiply(tj).compareTo(limit) <= 0 || j == 0) {
                return withSigmaSquared(Rational.of(n, d));
            }
        }
        throw new AssertionError("unreachable");
    }

    /** Test seam: the same sampler over another bit source (only reachable from this package). */
    static DiscreteGaussianSampler withBits(Rational sigmaSquared, Supplier<RandomBits> bits) {
        return new DiscreteGaussianSampler(sigmaSquared, bits);
    }

    public Rational sigmaSquared() {
        return sigmaSquared;
    }

    @Override
    public long sample() {
        return engine.sample(bits.get());
    }

    @Override
    public void sample(long[] out) {
        RandomBits b = bits.get();
        for (int i = 0; i < out.length; i++) {
            out[i] = engine.sample(b);
        }
    }

    /** One sample as a BigInteger (never overflows). */
    public BigInteger sampleBig() {
        return engine.sampleBig(bits.get());
    }

    boolean usesLongPath() {
        return engine.isFast();
    }

    @Override
    public String toString() {
        return "DiscreteGaussianSampler{sigma^2=" + sigmaSquared + "}";
    }
}
