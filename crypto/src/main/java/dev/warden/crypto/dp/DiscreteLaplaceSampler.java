package dev.warden.crypto.dp;

import java.math.BigInteger;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Exact sampler for the discrete Laplace distribution with scale b = t/s: {@code P(x) ∝ exp(-|x|/b)} for every
 * integer x (Canonne–Kamath–Steinke 2020, Algorithm 2). Adding it to an integer query of L1 sensitivity Δ
 * gives ε-DP for b = Δ/ε.
 *
 * <h2>Security guarantees</h2>
 * Exact distribution; per-thread {@code SecureRandom} DRBG; immutable and thread-safe. Running time depends on
 * the sampled value (see {@link NoisePool}).
 */
public final class DiscreteLaplaceSampler implements IntegerNoiseSampler {

    private final Rational scale;
    private final boolean fast;
    private final long s;
    private final long t;
    private final Supplier<RandomBits> bits;

    private DiscreteLaplaceSampler(Rational scale, Supplier<RandomBits> bits) {
        Objects.requireNonNull(scale, "scale");
        if (scale.isZero()) {
            throw new IllegalArgumentException("discrete Laplace needs scale > 0");
        }
        this.scale = scale;
        BigInteger lim = BigInteger.valueOf(ExactSampling.LIMIT);
        this.fast = scale.numerator().compareTo(lim) <= 0 && scale.denominator().compareTo(lim) <= 0;
        this.t = fast ? scale.numerator().longValueExact() : 0;
        this.s = fast ? scale.denominator().longValueExact() : 0;
        this.bits = bits;
    }

    /** Discrete Laplace with exact positive scale b. */
    public static DiscreteLaplaceSampler withScale(Rational scale) {
        return new DiscreteLaplaceSampler(scale, SecureBits::forCurrentThread);
    }

    static DiscreteLaplaceSampler withBits(Rational scale, Supplier<RandomBits> bits) {
        return new DiscreteLaplaceSampler(scale, bits);
    }

    public Rational scale() {
        return scale;
    }

    @Override
    public long sample() {
        RandomBits b = bits.get();
        if (fast) {
            return ExactSampling.discreteLaplace(s, t, b);
        }
        return ExactSampling.discreteLaplace(scale.denominator(), scale.numerator(), b).longValueExact();
    }

    /** One sample as a BigInteger (never overflows). */
    public BigInteger sampleBig() {
        return ExactSampling.discreteLaplace(scale.denominator(), scale.numerator(), bits.get());
    }

    @Override
    public String toString() {
        return "DiscreteLaplaceSampler{scale=" + scale + "}";
    }
}
