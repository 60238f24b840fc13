package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class NumericMechanismTest {

    private static boolean onGrid(double v, int k) {
        double q = Math.scalb(v, -k);
        return q == Math.rint(q) && Math.abs(q) <= (1L << 53);
    }

    @Test
    void everyOutput_isOnTheGrid_andEqualsRoundedInputPlusNoiseTimesR() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(3, -10, 10, 1.5, 0.1));
        int k = m.gridExponent();
        double[] in = {0.123456789, -3.3, 9.99};
        long[] noise = {5, -17, 0};
        NoisyOutput out = m.release(in, noise.clone(), NumericMechanism.Precision.FLOAT64);
        for (int i = 0; i < in.length; i++) {
            long xInt = Math.round(Math.scalb(in[i], -k));
            assertEquals(Math.scalb((double) (xInt + noise[i]), k), out.values()[i], 0.0);
            assertTrue(onGrid(out.values()[i], k));
        }
        try (NoisePool pool = m.startPool(4096)) {
            for (int j = 0; j < 2000; j++) {
                for (double v : m.apply(in, pool).values()) {
                    assertTrue(onGrid(v, k), v + " is not a multiple of 2^" + k);
                }
            }
        }
    }

    @Test
    void sensitivity_isInflatedByRounding_andRhoIsNeverExceeded() {
        NumericMechanismParams p = NumericMechanismParams.gaussian(10, 0, 1, 1.0, 0.02);
        NumericMechanism m = NumericMechanism.create(p);
        Rational r = m.gridExponent() >= 0 ? Rational.of(BigInteger.ONE.shiftLeft(m.gridExponent()), BigInteger.ONE)
                : Rational.of(BigInteger.ONE, BigInteger.ONE.shiftLeft(-m.gridExponent()));
        // Δ_eff = Δ + r·⌈√10⌉ = 1 + 4r
        assertEquals(Rational.ONE.add(r.multiply(Rational.of(4))), m.inflatedSensitivity());
        // exact achieved ρ = (Δ_eff/r)² / (2σ_int²) ≤ 0.02
        Rational g = m.inflatedSensitivity().divide(r);
        Rational achieved = g.multiply(g).divide(Rational.of(2).multiply(m.gridNoiseParameter()));
        assertTrue(achieved.compareTo(Rational.parse("0.02")) <= 0, "achieved rho " + achieved.doubleValue());
        assertTrue(achieved.doubleValue() > 0.02 * 0.999, "noise is not needlessly large");
        // σ in output units ≈ Δ/√(2ρ) = 5, slightly more because of the inflation
        assertEquals(5.0, m.noiseScale(), 5.0 * 0.01);
        assertEquals(PrivacyCost.ofRho(0.02), m.cost());
    }

    @Test
    void laplace_isCalibratedToInflatedL1() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.laplace(4, 0, 1, 2.0, 0.5));
        Rational r = Rational.of(BigInteger.ONE, BigInteger.ONE.shiftLeft(-m.gridExponent()));
        assertEquals(Rational.of(2).add(r.multiply(Rational.of(4))), m.inflatedSensitivity());
        Rational achievedEps = m.inflatedSensitivity().divide(r).divide(m.gridNoiseParameter());
        assertTrue(achievedEps.compareTo(Rational.parse("0.5")) <= 0);
        assertEquals(PrivacyCost.ofRho(0.125), m.cost()); // ε²/2
    }

    @Test
    void overflow_isClampedAndCounted() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(2, -1, 1, 1, 1));
        NoisyOutput o = m.release(new double[] {0.5, 0.5}, new long[] {Long.MAX_VALUE - 3, -(1L << 60)},
                NumericMechanism.Precision.FLOAT64);
        assertEquals(2, o.overflowed());
        assertEquals(Math.scalb((double) (1L << 53), m.gridExponent()), o.values()[0], 0.0);
        assertEquals(-Math.scalb((double) (1L << 53), m.gridExponent()), o.values()[1], 0.0);
        NoisyOutput f = m.release(new double[] {0, 0}, new long[] {1L << 30, 5}, NumericMechanism.Precision.FLOAT32);
        assertEquals(1, f.overflowed());
        assertEquals(3, m.overflowsTotal());
    }

    @Test
    void float32Outputs_areExact() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(5, 0, 16, 16, 0.5));
        try (NoisePool pool = m.startPool(1024)) {
            for (int j = 0; j < 500; j++) {
                NoisyOutput o = m.apply(new double[] {0, 3, 7.5, 16, 1e-3}, pool, NumericMechanism.Precision.FLOAT32);
                float[] f = o.asFloats();
                for (int i = 0; i < f.length; i++) {
                    assertEquals(o.values()[i], f[i], 0.0);
                }
            }
        }
    }

    @Test
    void inputsOutsideBounds_areClampedAndCounted() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(3, 0, 1, 1, 1));
        NoisyOutput o = m.release(new double[] {-5, 0.5, 7}, new long[3], NumericMechanism.Precision.FLOAT64);
        assertEquals(2, o.clampedInputs());
        assertArrayEquals(new double[] {0, 0.5, 1}, o.values(), 0.0);
    }

    @Test
    void probabilityVector_isClampedAndRenormalisedAfterNoise() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, 0.5));
        assertEquals(NumericMechanismParams.SQRT2_UPPER, m.params().sensitivity());
        double[] probs = {0.9, 0.05, 0.05, 0, 0, 0, 0, 0, 0, 0};
        try (NoisePool pool = m.startPool(4096)) {
            for (int j = 0; j < 1000; j++) {
                double[] v = m.apply(probs, pool).values();
                double sum = 0;
                for (double x : v) {
                    assertTrue(x >= 0 && x <= 1, "out of [0,1]: " + x);
                    sum += x;
                }
                assertEquals(1.0, sum, 1e-9);
            }
        }
    }

    @Test
    void noisyOutputs_differFromInput_withTheRightSpread() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(1, -100, 100, 1, 0.5)); // σ≈1
        double sum2 = 0;
        int n = 20_000;
        try (NoisePool pool = m.startPool(8192)) {
            for (int j = 0; j < n; j++) {
                double v = m.apply(new double[] {42}, pool).values()[0] - 42;
                sum2 += v * v;
            }
        }
        double sd = Math.sqrt(sum2 / n);
        assertEquals(m.noiseScale(), sd, 0.05);
    }

    @Test
    void badInput_isRefusedWithTheCause() {
        NumericMechanism m = NumericMechanism.create(NumericMechanismParams.gaussian(2, 0, 1, 1, 1));
        try (NoisePool pool = m.startPool(16)) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.apply(new double[] {1}, pool))
                    .getMessage().contains("expects 2"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> m.apply(new double[] {1, Double.NaN}, pool))
                    .getMessage().contains("NaN"));
        }
        assertThrows(IllegalArgumentException.class, () -> NumericMechanismParams.gaussian(0, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> NumericMechanismParams.gaussian(1, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> NumericMechanismParams.gaussian(1, 0, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> NumericMechanismParams.laplace(1, 0, 1, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> NumericMechanismParams.gaussian(1, 0, 1, 1, Double.NaN));
    }
}
