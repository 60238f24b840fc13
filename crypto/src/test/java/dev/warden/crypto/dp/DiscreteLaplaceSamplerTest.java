package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DiscreteLaplaceSamplerTest {
    private static final int N = 50_000;

    @ParameterizedTest(name = "scale = {0}")
    @ValueSource(strings = {"1/3", "1", "7/3", "10", "1000"})
    void chiSquare_matchesExactPmf(String scale) {
        Rational b = Rational.parse(scale);
        double bd = b.doubleValue();
        DiscreteLaplaceSampler l = DiscreteLaplaceSampler.withScale(b);
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[N];
            l.sample(s);
            return Stats.chiSquarePValue(s, x -> Math.exp(-Math.abs(x) / bd), (long) (40 * bd) + 10) >= Stats.ALPHA;
        }), "chi-square rejected discrete Laplace " + scale);
    }

    @ParameterizedTest(name = "scale = {0}")
    @ValueSource(strings = {"1/2", "3", "50"})
    void variance_equalsExactVariance(String scale) {
        double b = Rational.parse(scale).doubleValue();
        double q = Math.exp(-1 / b);
        double exactVar = 2 * q / ((1 - q) * (1 - q));
        // fourth moment by summation for the standard error
        double z = 0;
        double m4 = 0;
        for (long x = -(long) (60 * b) - 10; x <= (long) (60 * b) + 10; x++) {
            double p = Math.exp(-Math.abs(x) / b);
            z += p;
            m4 += p * Math.pow(x, 4);
        }
        int n = 200_000;
        double se = Math.sqrt((m4 / z - exactVar * exactVar) / n);
        DiscreteLaplaceSampler l = DiscreteLaplaceSampler.withScale(Rational.parse(scale));
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[n];
            l.sample(s);
            double sum2 = 0;
            for (long x : s) {
                sum2 += (double) x * x;
            }
            return Math.abs(sum2 / n - exactVar) <= 5 * se;
        }), "variance differs from " + exactVar);
    }

    @Test
    void bigIntegerPath_agreesWithLongPath() {
        // scale 3/2 written with a 70-bit numerator and denominator: same distribution, BigInteger arithmetic
        BigInteger k = BigInteger.TWO.pow(68);
        Rational big = Rational.of(BigInteger.valueOf(3).multiply(k), BigInteger.TWO.multiply(k).add(BigInteger.ONE));
        double bd = big.doubleValue();
        DiscreteLaplaceSampler l = DiscreteLaplaceSampler.withScale(big);
        assertTrue(Stats.majorityOf5(() -> {
            long[] s = new long[20_000];
            for (int i = 0; i < s.length; i++) {
                s[i] = l.sampleBig().longValueExact();
            }
            return Stats.chiSquarePValue(s, x -> Math.exp(-Math.abs(x) / bd), 80) >= Stats.ALPHA;
        }));
    }
}
