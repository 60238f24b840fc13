package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiscreteGaussianSamplerTest {
    private static final int N = 50_000;

    static double pmf(long x, double sigma2) {
        return Math.exp(-(double) x * x / (2 * sigma2));
    }

    static long support(double sigma2) {
        return (long) Math.ceil(12 * Math.sqrt(sigma2)) + 5;
    }

    @ParameterizedTest(name = "sigma^2 = {0}")
    @ValueSource(strings = {"1/4", "1", "2/3", "7", "100", "1000000", "1234567/100"})
    void chiSquare_matchesExactPmf(String s2) {
        Rational sigma2 = Rational.parse(s2);
        double v = sigma2.doubleValue();
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaSquared(sigma2);
        assertTrue(g.usesLongPath());
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[N];
            g.sample(s);
            return Stats.chiSquarePValue(s, x -> pmf(x, v), support(v)) >= Stats.ALPHA;
        }), "chi-square rejected N_Z(0," + s2 + ")");
    }

    @Test
    void bigIntegerPath_matchesExactPmf() {
        // σ² = 10^10 + 1/3: 2·n·d·t² exceeds 2^62, so every acceptance test runs on BigInteger
        Rational sigma2 = Rational.of(BigInteger.valueOf(30_000_000_001L), BigInteger.valueOf(3));
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaSquared(sigma2);
        assertFalse(g.usesLongPath());
        double v = sigma2.doubleValue();
        // judge |x| bucketed to units of σ/10 via the pmf on a coarse grid: compare scaled values
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[10_000];
            g.sample(s);
            double sigma = Math.sqrt(v);
            long width = (long) (sigma / 4);
            long[] coarse = Arrays.stream(s).map(x -> Math.floorDiv(x, width)).toArray();
            // pmf of the bucket index k: P(k·w ≤ x < (k+1)·w) ≈ w·φ((k+1/2)w) (relative error < 1e-3 here)
            return Stats.chiSquarePValue(coarse,
                    k -> Math.exp(-Math.pow((k + 0.5) * width, 2) / (2 * v)), 40) >= Stats.ALPHA;
        }));
    }

    @Test
    void wrongSigma_isDetected() {
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigma(10);
        long[] s = new long[200_000];
        g.sample(s);
        assertTrue(Stats.chiSquarePValue(s, x -> pmf(x, 110), support(110)) < Stats.ALPHA);
    }

    @ParameterizedTest(name = "sigma = {0}")
    @ValueSource(longs = {1, 3, 10, 1000})
    void variance_equalsExactVariance(long sigma) {
        double v = (double) sigma * sigma;
        long m = support(v);
        double z = 0;
        double m2 = 0;
        double m4 = 0;
        for (long x = -m; x <= m; x++) {
            double p = pmf(x, v);
            z += p;
            m2 += p * x * x;
            m4 += p * x * x * x * x;
        }
        double exactVar = m2 / z;
        double se = Math.sqrt((m4 / z - exactVar * exactVar) / 200_000);
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigma(sigma);
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[200_000];
            g.sample(s);
            double sum2 = 0;
            double sum = 0;
            for (long x : s) {
                sum += x;
                sum2 += (double) x * x;
            }
            double var = sum2 / s.length; // mean is exactly 0
            // 5 standard errors ≈ two-sided α of 6e-7
            return Math.abs(var - exactVar) <= 5 * se && Math.abs(sum / s.length) <= 5 * Math.sqrt(exactVar / s.length);
        }), "variance differs from the exact " + exactVar);
        if (sigma == 1) {
            // discrete Gaussian with σ=1 has variance slightly below 1 (CKS Prop. 19): 0.99999...
            assertTrue(exactVar < 1.0 && exactVar > 0.99);
        }
    }

    @Test
    void sigmaFromADouble_isRoundedUp_andStaysOnTheFastPath() {
        for (double sigma : new double[] {0.3, 1, 3.7, Math.PI * 10, 123.456, 1000.1, 9999.9}) {
            DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaAtLeast(sigma);
            java.math.BigDecimal exact = new java.math.BigDecimal(sigma).pow(2);
            assertTrue(g.sigmaSquared().compareTo(Rational.of(exact)) >= 0, "sigma^2 rounded down for " + sigma);
            assertTrue(g.sigmaSquared().doubleValue() <= sigma * sigma * (1 + 1e-4) + 1e-4, "too much noise for " + sigma);
            assertTrue(g.usesLongPath(), "slow path for sigma " + sigma);
        }
        assertThrows(IllegalArgumentException.class, () -> DiscreteGaussianSampler.withSigmaAtLeast(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DiscreteGaussianSampler.withSigmaAtLeast(0));
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigmaAtLeast(3.7);
        double v = g.sigmaSquared().doubleValue();
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[N];
            g.sample(s);
            return Stats.chiSquarePValue(s, x -> pmf(x, v), support(v)) >= Stats.ALPHA;
        }));
    }

    @Test
    void badParameters_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> DiscreteGaussianSampler.withSigmaSquared(Rational.ZERO));
        assertThrows(IllegalArgumentException.class, () -> DiscreteGaussianSampler.withSigma(0));
        assertThrows(IllegalArgumentException.class, () -> Rational.parse("-1/2"));
        assertThrows(IllegalArgumentException.class, () -> Rational.parse("abc"));
        assertThrows(IllegalArgumentException.class, () -> Rational.of(1, 0));
    }
}
