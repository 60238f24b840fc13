package dev.warden.crypto.dp;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Immutable, validated parameters of a noise mechanism on a numeric output vector (regression values, logits,
 * probability vectors). Contains no randomness and no secrets; build one per route at policy load.
 *
 * <p>The policy <em>declares</em> the sensitivity. For a model not trained with DP the only defensible value
 * is the full range of the clamped output: a probability vector can move from one corner of the simplex to
 * another, so L2 = √2 and L1 = 2 ({@link #probabilityVectorGaussian}, {@link #probabilityVectorLaplace});
 * a scalar clamped to [lo, hi] has sensitivity hi − lo. See {@code crypto/SECURITY-dp.md}.
 */
public final class NumericMechanismParams {

    /** The kind of noise. */
    public enum Noise {
        /** Discrete Gaussian; ρ-zCDP with ρ = Δ₂²/(2σ²). */
        GAUSSIAN,
        /** Discrete Laplace; pure ε-DP, charged ρ = ε²/2. */
        LAPLACE
    }

    /** A rational upper bound of √2 (√2 = 1.41421356237…): the L2 diameter of the probability simplex. */
    public static final BigDecimal SQRT2_UPPER = new BigDecimal("1.4142135624");

    private final Noise noise;
    private final int dimension;
    private final double lower;
    private final double upper;
    private final BigDecimal sensitivity;
    private final BigDecimal budget; // ρ for GAUSSIAN, ε for LAPLACE
    private final boolean probabilityVector;

    private NumericMechanismParams(Noise noise, int dimension, double lower, double upper, BigDecimal sensitivity,
            BigDecimal budget, boolean probabilityVector) {
        this.noise = Objects.requireNonNull(noise, "noise");
        if (dimension < 1) {
            throw new IllegalArgumentException("output dimension must be >= 1, got " + dimension);
        }
        if (!Double.isFinite(lower) || !Double.isFinite(upper) || !(lower < upper)) {
            throw new IllegalArgumentException("clamping bounds must be finite with lower < upper, got ["
                    + lower + ", " + upper + "]");
        }
        Objects.requireNonNull(sensitivity, "sensitivity");
        if (sensitivity.signum() <= 0) {
            throw new IllegalArgumentException("sensitivity must be > 0, got " + sensitivity);
        }
        Objects.requireNonNull(budget, "budget");
        if (budget.signum() <= 0) {
            throw new IllegalArgumentException((noise == Noise.GAUSSIAN ? "rho" : "epsilon")
                    + " must be > 0, got " + budget);
        }
        this.dimension = dimension;
        this.lower = lower;
        this.upper = upper;
        this.sensitivity = sensitivity;
        this.budget = budget;
        this.probabilityVector = probabilityVector;
    }

    private static BigDecimal dec(double v, String name) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, got " + v);
        }
        return BigDecimal.valueOf(v);
    }

    /**
     * Discrete Gaussian noise calibrated to ρ-zCDP per release.
     *
     * @param dimension number of output values per release
     * @param lower clamping lower bound (public)
     * @param upper clamping upper bound (public)
     * @param l2Sensitivity declared L2 sensitivity of the clamped output vector
     * @param rho zCDP cost of one release
     */
    public static NumericMechanismParams gaussian(int dimension, double lower, double upper, double l2Sensitivity,
            double rho) {
        return new NumericMechanismParams(Noise.GAUSSIAN, dimension, lower, upper, dec(l2Sensitivity, "l2Sensitivity"),
                dec(rho, "rho"), false);
    }

    /** Discrete Laplace noise calibrated to pure ε-DP per release, with declared L1 sensitivity. */
    public static NumericMechanismParams laplace(int dimension, double lower, double upper, double l1Sensitivity,
            double epsilon) {
        return new NumericMechanismParams(Noise.LAPLACE, dimension, lower, upper, dec(l1Sensitivity, "l1Sensitivity"),
                dec(epsilon, "epsilon"), false);
    }

    /**
     * A probability vector of {@code classes} entries: clamp to [0, 1], L2 sensitivity √2 (the honest value for
     * a model not trained with DP), Gaussian noise, then clamp and renormalise (post-processing).
     */
    public static NumericMechanismParams probabilityVectorGaussian(int classes, double rho) {
        return new NumericMechanismParams(Noise.GAUSSIAN, classes, 0.0, 1.0, SQRT2_UPPER, dec(rho, "rho"), true);
    }

    /** A probability vector with Laplace noise: L1 sensitivity 2, pure ε-DP, clamped and renormalised. */
    public static NumericMechanismParams probabilityVectorLaplace(int classes, double epsilon) {
        return new NumericMechanismParams(Noise.LAPLACE, classes, 0.0, 1.0, BigDecimal.valueOf(2),
                dec(epsilon, "epsilon"), true);
    }

    /** A copy that also clamps the noisy values to [lower, upper] and renormalises them to sum 1. */
    public NumericMechanismParams withRenormalisation() {
        if (lower < 0) {
            throw new IllegalArgumentException("renormalisation needs lower bound >= 0, got " + lower);
        }
        return new NumericMechanismParams(noise, dimension, lower, upper, sensitivity, budget, true);
    }

    public Noise noise() {
        return noise;
    }

    public int dimension() {
        return dimension;
    }

    public double lower() {
        return lower;
    }

    public double upper() {
        return upper;
    }

    /** L2 sensitivity (Gaussian) or L1 sensitivity (Laplace), as declared. */
    public BigDecimal sensitivity() {
        return sensitivity;
    }

    /** ρ (Gaussian) or ε (Laplace). */
    public BigDecimal budget() {
        return budget;
    }

    public boolean probabilityVector() {
        return probabilityVector;
    }

    @Override
    public String toString() {
        return "NumericMechanismParams{" + noise + ", dim=" + dimension + ", bounds=[" + lower + ", " + upper
                + "], sensitivity=" + sensitivity + (noise == Noise.GAUSSIAN ? ", rho=" : ", epsilon=") + budget
                + (probabilityVector ? ", renormalised" : "") + "}";
    }
}
