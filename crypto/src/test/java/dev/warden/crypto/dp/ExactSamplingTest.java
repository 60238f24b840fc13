package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bernoulli(n/d), Bernoulli(exp(-γ)) and uniform draws against their exact probabilities. */
class ExactSamplingTest {
    private static final int N = 100_000;

    @ParameterizedTest(name = "Bernoulli({0}/{1})")
    @CsvSource({"1,2", "1,3", "2,7", "999,1000", "1,1000", "12345,67890"})
    void bernoulli_matchesRate(long n, long d) {
        assertTrue(Stats.majorityOf5(() -> {
            RandomBits bits = SecureBits.forCurrentThread();
            long k = 0;
            for (int i = 0; i < N; i++) {
                if (ExactSampling.bernoulli(n, d, bits)) {
                    k++;
                }
            }
            return Stats.binomialPValue(k, N, (double) n / d) >= Stats.ALPHA;
        }));
    }

    @Test
    void bernoulliBigInteger_matchesRate() {
        BigInteger d = BigInteger.TWO.pow(100).add(BigInteger.valueOf(12345));
        BigInteger n = d.divide(BigInteger.valueOf(3));
        assertTrue(Stats.majorityOf5(() -> {
            RandomBits bits = SecureBits.forCurrentThread();
            long k = 0;
            for (int i = 0; i < N; i++) {
                if (ExactSampling.bernoulli(n, d, bits)) {
                    k++;
                }
            }
            return Stats.binomialPValue(k, N, 1.0 / 3) >= Stats.ALPHA;
        }));
    }

    @Test
    void bernoulli_edgeProbabilitiesAreCertain() {
        RandomBits bits = SecureBits.forCurrentThread();
        for (int i = 0; i < 1000; i++) {
            assertEquals(false, ExactSampling.bernoulli(0, 5, bits));
            assertEquals(true, ExactSampling.bernoulli(5, 5, bits));
            assertEquals(true, ExactSampling.bernoulliExp(0, 3, bits));
        }
    }

    @ParameterizedTest(name = "Bernoulli(exp(-{0}/{1}))")
    @CsvSource({"1,3", "1,1", "5,2", "7,1", "3,1000", "1000000007,1000000000"})
    void bernoulliExp_matchesRate(long n, long d) {
        double p = Math.exp(-(double) n / d);
        assertTrue(Stats.majorityOf5(() -> {
            RandomBits bits = SecureBits.forCurrentThread();
            long k = 0;
            for (int i = 0; i < N; i++) {
                if (ExactSampling.bernoulliExp(n, d, bits)) {
                    k++;
                }
            }
            return Stats.binomialPValue(k, N, p) >= Stats.ALPHA;
        }));
    }

    @Test
    void bernoulliExpBigInteger_matchesRate() {
        // γ = 3/2 with a 90-bit denominator forces the BigInteger path
        BigInteger d = BigInteger.TWO.pow(90).add(BigInteger.ONE);
        BigInteger n = d.multiply(BigInteger.valueOf(3)).divide(BigInteger.TWO);
        double p = Math.exp(-1.5);
        assertTrue(Stats.majorityOf5(() -> {
            RandomBits bits = SecureBits.forCurrentThread();
            long k = 0;
            for (int i = 0; i < N; i++) {
                if (ExactSampling.bernoulliExp(n, d, bits)) {
                    k++;
                }
            }
            return Stats.binomialPValue(k, N, p) >= Stats.ALPHA;
        }));
    }

    @Test
    void wrongRate_isDetected() {
        // the judge has power: Bernoulli(1/2) samples judged against 0.51 fail
        RandomBits bits = SecureBits.forCurrentThread();
        long k = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (ExactSampling.bernoulli(1, 2, bits)) {
                k++;
            }
        }
        assertTrue(Stats.binomialPValue(k, 1_000_000, 0.51) < Stats.ALPHA);
    }

    @Test
    void uniform_isUniform() {
        assertTrue(Stats.majorityOf5(() -> {
            RandomBits bits = SecureBits.forCurrentThread();
            long[] s = new long[N];
            for (int i = 0; i < N; i++) {
                s[i] = bits.uniform(7);
            }
            return Stats.chiSquarePValue(s, x -> x >= 0 && x < 7 ? 1 : 0, 7) >= Stats.ALPHA;
        }));
        RandomBits bits = SecureBits.forCurrentThread();
        BigInteger big = BigInteger.TWO.pow(70).add(BigInteger.valueOf(5));
        for (int i = 0; i < 1000; i++) {
            BigInteger u = bits.uniform(big);
            assertTrue(u.signum() >= 0 && u.compareTo(big) < 0);
        }
    }

    @Test
    void deterministicBits_areReproducible() {
        DiscreteGaussianSampler a = InsecureTestSamplers.insecureDiscreteGaussian(Rational.of(100), 42);
        DiscreteGaussianSampler b = InsecureTestSamplers.insecureDiscreteGaussian(Rational.of(100), 42);
        long[] x = new long[100];
        long[] y = new long[100];
        a.sample(x);
        b.sample(y);
        assertEquals(java.util.Arrays.toString(x), java.util.Arrays.toString(y));
    }
}
