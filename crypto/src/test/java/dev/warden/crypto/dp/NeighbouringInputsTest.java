package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Statistical privacy tests in the style of Google's DP library "stochastic tester" / DP-Sniper: run the
 * mechanism on two neighbouring inputs, histogram the outputs and estimate
 * δ̂(ε) = Σ_o max(0, P̂[M(x)=o] − e^ε·P̂[M(x')=o]) in both directions. A correct mechanism stays at or below
 * its claimed δ(ε); one with 20 % too little noise must be caught.
 */
class NeighbouringInputsTest {
    private static final int N = 200_000;

    /** Standard normal CDF via erfc (Abramowitz–Stegun 7.1.26 is too coarse; this uses a Chebyshev fit, |err| < 1.2e-7). */
    static double phi(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    /** Exact δ(ε) of the Gaussian mechanism with sensitivity Δ and noise σ (Balle–Wang 2018, Thm. 8). */
    static double gaussianDelta(double eps, double delta, double sigma) {
        double a = delta / (2 * sigma);
        double b = eps * sigma / delta;
        return phi(a - b) - Math.exp(eps) * phi(-a - b);
    }

    static double deltaHat(long[] a, long[] b, long binWidth, double eps) {
        Map<Long, Integer> ha = hist(a, binWidth);
        Map<Long, Integer> hb = hist(b, binWidth);
        Set<Long> keys = new HashSet<>(ha.keySet());
        keys.addAll(hb.keySet());
        double ab = 0;
        double ba = 0;
        for (long k : keys) {
            double pa = ha.getOrDefault(k, 0) / (double) a.length;
            double pb = hb.getOrDefault(k, 0) / (double) b.length;
            ab += Math.max(0, pa - Math.exp(eps) * pb);
            ba += Math.max(0, pb - Math.exp(eps) * pa);
        }
        return Math.max(ab, ba);
    }

    private static Map<Long, Integer> hist(long[] v, long w) {
        Map<Long, Integer> h = new HashMap<>();
        for (long x : v) {
            h.merge(Math.floorDiv(x, w), 1, Integer::sum);
        }
        return h;
    }

    /** Releases input x N times and returns the outputs in grid units. */
    static long[] run(NumericMechanism m, double x) {
        long[] noise = new long[N];
        m.noiseSampler().sample(noise);
        long[] out = new long[N];
        double[] in = {x};
        long[] one = new long[1];
        for (int i = 0; i < N; i++) {
            one[0] = noise[i];
            double v = m.release(in, one, NumericMechanism.Precision.FLOAT64).values()[0];
            out[i] = (long) Math.scalb(v, -m.gridExponent());
        }
        return out;
    }

    static double gaussianDeltaHat(NumericMechanism m, double eps) {
        long w = Math.max(1, (long) (Math.sqrt(m.gridNoiseParameter().doubleValue()) / 8)); // bins of σ/8
        return deltaHat(run(m, 0.0), run(m, 1.0), w, eps);
    }

    @Test
    void gaussian_correctPasses_and20PercentTooLittleNoiseFails() {
        double rho = 0.5; // Δ = 1 ⇒ claimed σ = Δ/√(2ρ) = 1
        double eps = 1.0;
        double claimedDelta = gaussianDelta(eps, 1.0, 1.0); // ≈ 0.127
        double tolerance = 0.02;
        NumericMechanism right = NumericMechanism.create(NumericMechanismParams.gaussian(1, 0, 1, 1.0, rho));
        // 20 % too little noise: σ' = 0.8σ, i.e. calibrated to ρ/0.64 while still claiming ρ
        NumericMechanism weak = NumericMechanism.create(NumericMechanismParams.gaussian(1, 0, 1, 1.0, rho / 0.64));
        assertTrue(Stats.majorityOf5(() -> gaussianDeltaHat(right, eps) <= claimedDelta + tolerance),
                "correct Gaussian mechanism exceeded delta " + claimedDelta);
        assertTrue(Stats.majorityOf5(() -> gaussianDeltaHat(weak, eps) > claimedDelta + tolerance),
                "a Gaussian mechanism with 20% too little noise was not detected");
    }

    @Test
    void laplace_correctPasses_and20PercentTooLittleNoiseFails() {
        double eps = 1.0; // pure ε-DP: δ(ε) = 0
        double tolerance = 0.02;
        NumericMechanism right = NumericMechanism.create(NumericMechanismParams.laplace(1, 0, 1, 1.0, eps));
        NumericMechanism weak = NumericMechanism.create(NumericMechanismParams.laplace(1, 0, 1, 1.0, eps / 0.8));
        java.util.function.ToDoubleFunction<NumericMechanism> dh = m -> {
            long w = Math.max(1, m.gridNoiseParameter().floor().longValue() / 8);
            return deltaHat(run(m, 0.0), run(m, 1.0), w, eps);
        };
        assertTrue(Stats.majorityOf5(() -> dh.applyAsDouble(right) <= tolerance), "correct Laplace exceeded delta 0");
        assertTrue(Stats.majorityOf5(() -> dh.applyAsDouble(weak) > tolerance),
                "a Laplace mechanism with 20% too little noise was not detected");
    }
}
