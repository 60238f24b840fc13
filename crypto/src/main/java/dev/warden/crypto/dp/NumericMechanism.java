package dev.warden.crypto.dp;

import java.math.BigInteger;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Adds exact discrete noise to a numeric output vector on a power-of-two grid.
 *
 * <p><b>How.</b> From public parameters only, pick a grid r = 2^k so that the noise in grid units is about
 * 2^10·⌈√d⌉ (fine enough that rounding changes nothing visible, coarse enough for the fast sampler path).
 * Each value is clamped to the declared bounds, rounded to the nearest multiple of r (x_int), and released as
 * {@code (x_int + Z)·r} with Z an exact discrete Gaussian or Laplace sample: an exact multiple of r, exactly
 * representable as a double (or float32), so no floating-point rounding touches the noise (Mironov 2012).
 *
 * <p><b>Sensitivity inflation.</b> Rounding moves each coordinate by at most r/2, so neighbouring inputs differ
 * on the grid by at most Δ₂ + r·⌈√d⌉ in L2 and Δ₁ + r·d in L1. The noise is calibrated to this inflated
 * sensitivity, so the release costs exactly the ρ (or ε) in the parameters.
 *
 * <p><b>Calibration (exact rationals).</b> Gaussian: σ_int² = (Δ₂,eff/r)²/(2ρ), giving ρ-zCDP (CKS 2020,
 * Thm. 14). Laplace: b_int = (Δ₁,eff/r)/ε, giving ε-DP.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Each {@link #apply} is one release costing {@link #cost()}; the caller must debit it first.</li>
 *   <li>Noise is taken from a {@link NoisePool} so request latency does not depend on the noise values.</li>
 *   <li>Values whose noisy magnitude exceeds the output format are clamped and counted, never wrapped.</li>
 *   <li>Not guaranteed: that the declared sensitivity is true for the model — that is the policy's claim.</li>
 * </ul>
 * Thread-safe and immutable apart from its counters.
 */
public final class NumericMechanism {

    /** The output number format; limits the grid integer so (x_int + Z)·2^k is exact in it. */
    public enum Precision {
        /** IEEE double: |x_int + Z| ≤ 2^53. */
        FLOAT64(1L << 53),
        /** IEEE float32 (OIP FP32 tensors): |x_int + Z| ≤ 2^24. */
        FLOAT32(1L << 24);

        final long maxGridMagnitude;

        Precision(long maxGridMagnitude) {
            this.maxGridMagnitude = maxGridMagnitude;
        }
    }

    /** Target noise scale in grid units per ⌈√d⌉ (Gaussian) or per d (Laplace): inflation ≤ 2^-10 of the noise. */
    private static final double GRID_UNITS_PER_NOISE = 1024.0;

    /**
     * Cap on the target noise scale in grid units: keeps 2·σ²·(σ+1)² below 2^62 so the sampler stays on its
     * long path; for very wide outputs the rounding inflation then grows to at most √d/2^14 of the noise.
     */
    private static final double MAX_GRID_NOISE = 16384.0;

    private final NumericMechanismParams params;
    private final int gridExponent;
    private final Rational inflatedSensitivity;
    private final Rational noiseParameter; // σ_int² or b_int
    private final IntegerNoiseSampler sampler;
    private final PrivacyCost cost;
    private final long maxInputGrid;
    private final LongAdder clamped = new LongAdder();
    private final LongAdder overflowed = new LongAdder();

    private NumericMechanism(NumericMechanismParams p) {
        this.params = p;
        int d = p.dimension();
        long sqrtD = ceilSqrt(d);
        double budget = p.budget().doubleValue();
        double s = p.sensitivity().doubleValue();
        // public-parameter estimate of the noise scale, used only to choose k
        double noiseScale = p.noise() == NumericMechanismParams.Noise.GAUSSIAN
                ? s / Math.sqrt(2 * budget) / Math.min(MAX_GRID_NOISE, GRID_UNITS_PER_NOISE * sqrtD)
                : s / budget / Math.min(MAX_GRID_NOISE, GRID_UNITS_PER_NOISE * d);
        int k = Math.getExponent(noiseScale);
        double maxAbs = Math.max(Math.abs(p.lower()), Math.abs(p.upper()));
        k = Math.max(k, Math.getExponent(maxAbs) - 50); // clamped inputs fit comfortably in 2^52 grid units
        k = Math.max(k, -100); // float32 can represent every multiple of 2^k below 2^24·2^k
        this.gridExponent = k;
        Rational r = k >= 0 ? Rational.of(BigInteger.ONE.shiftLeft(k), BigInteger.ONE)
                : Rational.of(BigInteger.ONE, BigInteger.ONE.shiftLeft(-k));
        Rational sens = Rational.of(p.sensitivity());
        Rational budgetR = Rational.of(p.budget());
        if (p.noise() == NumericMechanismParams.Noise.GAUSSIAN) {
            this.inflatedSensitivity = sens.add(r.multiply(Rational.of(sqrtD)));
            Rational gridSens = inflatedSensitivity.divide(r);
            // rounded UP to an integer: more noise than needed (ρ' ≤ ρ), and a small denominator keeps the
            // sampler on its long path
            this.noiseParameter = ceil(gridSens.multiply(gridSens).divide(budgetR.multiply(Rational.of(2))));
            this.sampler = DiscreteGaussianSampler.withSigmaSquared(noiseParameter);
            this.cost = PrivacyCost.ofRho(p.budget());
        } else {
            this.inflatedSensitivity = sens.add(r.multiply(Rational.of(d)));
            this.noiseParameter = ceil(inflatedSensitivity.divide(r).divide(budgetR)); // rounded up: ε' ≤ ε
            this.sampler = DiscreteLaplaceSampler.withScale(noiseParameter);
            this.cost = PrivacyCost.ofPureEpsilon(p.budget().doubleValue());
        }
        this.maxInputGrid = (long) Math.ceil(Math.scalb(maxAbs, -k)) + 1;
    }

    /**
     * Builds the mechanism for validated parameters.
     *
     * @throws IllegalArgumentException if the parameters cannot be realised
     */
    public static NumericMechanism create(NumericMechanismParams params) {
        return new NumericMechanism(Objects.requireNonNull(params, "params"));
    }

    private static Rational ceil(Rational q) {
        BigInteger[] qr = q.numerator().divideAndRemainder(q.denominator());
        return Rational.of(qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE), BigInteger.ONE);
    }

    private static long ceilSqrt(long d) {
        long s = BigInteger.valueOf(d).sqrt().longValueExact();
        return s * s == d ? s : s + 1;
    }

    /** Starts a pool of grid-unit noise for this mechanism (one per route; close it when the route goes). */
    public NoisePool startPool(int capacity) {
        return NoisePool.start(sampler, capacity);
    }

    /** The grid-unit noise sampler (for pools and benchmarks). */
    public IntegerNoiseSampler noiseSampler() {
        return sampler;
    }

    /** Releases {@code values} with noise, as float64. */
    public NoisyOutput apply(double[] values, NoisePool pool) {
        return apply(values, pool, Precision.FLOAT64);
    }

    /**
     * One release: clamp, snap to the grid, add pooled noise, clamp overflow, and (for probability vectors)
     * clamp to the bounds and renormalise.
     *
     * @throws IllegalArgumentException if {@code values} has the wrong length or contains NaN
     * @throws NoiseUnavailableException if the pool cannot supply noise (release nothing; fail closed)
     */
    public NoisyOutput apply(double[] values, NoisePool pool, Precision precision) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(pool, "pool");
        if (values.length != params.dimension()) {
            throw new IllegalArgumentException("output has " + values.length + " values, mechanism expects "
                    + params.dimension());
        }
        long[] noise = new long[values.length];
        pool.take(noise);
        return release(values, noise, precision);
    }

    /** The release with given grid noise (package-private so the statistical tests can drive it directly). */
    NoisyOutput release(double[] values, long[] noise, Precision precision) {
        int k = gridExponent;
        int nClamped = 0;
        int nOverflow = 0;
        long limit = precision.maxGridMagnitude;
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            if (Double.isNaN(x)) {
                throw new IllegalArgumentException("model output value " + i + " is NaN");
            }
            if (x < params.lower()) {
                x = params.lower();
                nClamped++;
            } else if (x > params.upper()) {
                x = params.upper();
                nClamped++;
            }
            long xInt = (long) Math.rint(Math.scalb(x, -k)); // exact: |x / 2^k| ≤ maxInputGrid < 2^52
            long y;
            try {
                y = Math.addExact(xInt, noise[i]);
            } catch (ArithmeticException e) {
                y = noise[i] > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
            }
            if (y > limit) {
                y = limit;
                nOverflow++;
            } else if (y < -limit) {
                y = -limit;
                nOverflow++;
            }
            out[i] = Math.scalb((double) y, k); // exact: |y| ≤ 2^53, power-of-two scaling
            noise[i] = 0;
        }
        if (params.probabilityVector()) {
            renormalise(out);
        }
        if (nClamped > 0) {
            clamped.add(nClamped);
        }
        if (nOverflow > 0) {
            overflowed.add(nOverflow);
        }
        return new NoisyOutput(out, nClamped, nOverflow);
    }

    /** Post-processing: clamp to the bounds and scale to sum 1 (uniform if nothing is left). */
    private void renormalise(double[] v) {
        double sum = 0;
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.min(params.upper(), Math.max(params.lower(), v[i]));
            sum += v[i];
        }
        for (int i = 0; i < v.length; i++) {
            v[i] = sum > 0 ? v[i] / sum : 1.0 / v.length;
        }
    }

    public NumericMechanismParams params() {
        return params;
    }

    /** k of the grid r = 2^k. */
    public int gridExponent() {
        return gridExponent;
    }

    /** The grid spacing r = 2^k. */
    public double gridSpacing() {
        return Math.scalb(1.0, gridExponent);
    }

    /** The sensitivity after rounding inflation (L2 for Gaussian, L1 for Laplace), in output units. */
    public Rational inflatedSensitivity() {
        return inflatedSensitivity;
    }

    /** σ² (Gaussian) or scale b (Laplace) of the noise, in grid units. */
    public Rational gridNoiseParameter() {
        return noiseParameter;
    }

    /** The standard deviation-like scale of the noise in output units (σ or b; reporting only). */
    public double noiseScale() {
        double g = noiseParameter.doubleValue();
        return (params.noise() == NumericMechanismParams.Noise.GAUSSIAN ? Math.sqrt(g) : g) * gridSpacing();
    }

    /** The privacy cost of one release, to debit before the model is called. */
    public PrivacyCost cost() {
        return cost;
    }

    /** Inputs clamped so far (metrics). */
    public long clampedInputsTotal() {
        return clamped.sum();
    }

    /** Noisy values clamped to the output format so far (metrics). */
    public long overflowsTotal() {
        return overflowed.sum();
    }

    @Override
    public String toString() {
        return "NumericMechanism{" + params + ", grid=2^" + gridExponent + ", noiseScale=" + noiseScale() + "}";
    }

}
