package dev.warden.crypto.dp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Label-only release for classifiers: returns one class index chosen by the exponential mechanism,
 * {@code P(i) ∝ exp(ε·u_i / (2Δ))}, sampled exactly (McSherry–Talwar 2007). This is the rigorous option for a
 * classifier: the answer is a label, not a score vector. It is equivalent in distribution to report-noisy-max
 * with Gumbel noise.
 *
 * <p><b>How (exactly).</b> Scores are clamped to the declared bounds and snapped to a grid r = 2^k (the
 * sensitivity is inflated by r). With integer grid scores U_i and U_max = max U_i, the weight of class i is
 * exp(−γ_i) with the exact rational γ_i = ε·r·(U_max − U_i)/(2Δ_eff) ≥ 0. Rejection sampling: pick i uniformly,
 * accept with Bernoulli(exp(−γ_i)). The class of the maximum has γ = 0, so each round accepts with probability
 * at least 1/m.
 *
 * <h2>Security guarantees</h2>
 * ε-DP per release with respect to the declared score sensitivity Δ (charged ρ = ε²/2). Exact sampling with
 * per-thread {@code SecureRandom}. <b>Not</b> guaranteed: constant time — the expected number of rejection
 * rounds is m/Σexp(−γ_i), which depends on the score gaps (not on the released label beyond what the label
 * reveals). Thread-safe and immutable.
 */
public final class ExponentialMechanism {

    /** Target: the declared sensitivity spans 2^10 grid units, so rounding inflates it by at most 2^-10. */
    private static final double GRID_UNITS_PER_SENSITIVITY = 1024.0;

    private final double epsilon;
    private final double lower;
    private final double upper;
    private final int gridExponent;
    private final Rational gammaPerGridUnit; // ε·r/(2Δ_eff)
    private final PrivacyCost cost;
    private final Supplier<RandomBits> bits;

    private ExponentialMechanism(double epsilon, double sensitivity, double lower, double upper,
            Supplier<RandomBits> bits) {
        if (!Double.isFinite(epsilon) || epsilon <= 0) {
            throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
        }
        if (!Double.isFinite(sensitivity) || sensitivity <= 0) {
            throw new IllegalArgumentException("score sensitivity must be finite and > 0, got " + sensitivity);
        }
        if (!Double.isFinite(lower) || !Double.isFinite(upper) || !(lower < upper)) {
            throw new IllegalArgumentException("score bounds must be finite with lower < upper, got [" + lower
                    + ", " + upper + "]");
        }
        this.epsilon = epsilon;
        this.lower = lower;
        this.upper = upper;
        int k = Math.getExponent(sensitivity / GRID_UNITS_PER_SENSITIVITY);
        k = Math.max(k, Math.getExponent(Math.max(Math.abs(lower), Math.abs(upper))) - 50);
        this.gridExponent = k;
        Rational r = k >= 0 ? Rational.of(BigInteger.ONE.shiftLeft(k), BigInteger.ONE)
                : Rational.of(BigInteger.ONE, BigInteger.ONE.shiftLeft(-k));
        Rational sensEff = Rational.of(BigDecimal.valueOf(sensitivity)).add(r);
        this.gammaPerGridUnit = Rational.of(BigDecimal.valueOf(epsilon)).multiply(r)
                .divide(sensEff.multiply(Rational.of(2)));
        this.cost = PrivacyCost.ofPureEpsilon(epsilon);
        this.bits = bits;
    }

    /**
     * @param epsilon per-release ε
     * @param scoreSensitivity declared sensitivity Δ of each score (1 for a probability; the full score range for a
     *     model not trained with DP)
     * @param lower clamping lower bound of the scores
     * @param upper clamping upper bound of the scores
     */
    public static ExponentialMechanism create(double epsilon, double scoreSensitivity, double lower, double upper) {
        return new ExponentialMechanism(epsilon, scoreSensitivity, lower, upper, SecureBits::forCurrentThread);
    }

    /** For class probabilities: scores in [0, 1], sensitivity 1. */
    public static ExponentialMechanism forProbabilities(double epsilon) {
        return create(epsilon, 1.0, 0.0, 1.0);
    }

    static ExponentialMechanism withBits(double epsilon, double sensitivity, double lower, double upper,
            Supplier<RandomBits> bits) {
        return new ExponentialMechanism(epsilon, sensitivity, lower, upper, bits);
    }

    /**
     * Selects one index.
     *
     * @throws IllegalArgumentException if {@code scores} is empty or contains NaN
     */
    public int select(double[] scores) {
        Objects.requireNonNull(scores, "scores");
        if (scores.length == 0) {
            throw new IllegalArgumentException("no scores to select from");
        }
        long[] grid = new long[scores.length];
        long max = Long.MIN_VALUE;
        for (int i = 0; i < scores.length; i++) {
            double s = scores[i];
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
            s = Math.min(upper, Math.max(lower, s));
            grid[i] = (long) Math.rint(Math.scalb(s, -gridExponent));
            max = Math.max(max, grid[i]);
        }
        BigInteger num = gammaPerGridUnit.numerator();
        BigInteger den = gammaPerGridUnit.denominator();
        RandomBits b = bits.get();
        while (true) {
            int i = (int) b.uniform(scores.length);
            BigInteger gap = BigInteger.valueOf(max - grid[i]);
            if (ExactSampling.bernoulliExp(num.multiply(gap), den, b)) {
                return i;
            }
        }
    }

    public double epsilon() {
        return epsilon;
    }

    /** ρ = ε²/2, rounded up. */
    public PrivacyCost cost() {
        return cost;
    }

    @Override
    public String toString() {
        return "ExponentialMechanism{epsilon=" + epsilon + ", bounds=[" + lower + ", " + upper + "], grid=2^"
                + gridExponent + "}";
    }
}
