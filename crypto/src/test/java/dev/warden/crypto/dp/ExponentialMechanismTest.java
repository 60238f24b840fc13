package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExponentialMechanismTest {

    @Test
    void selectionFrequencies_matchExpOfEpsilonScoreOver2Delta() {
        double eps = 2.0;
        double[] scores = {0.7, 0.2, 0.1, 0.0};
        ExponentialMechanism em = ExponentialMechanism.forProbabilities(eps);
        double[] w = new double[scores.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(eps * scores[i] / 2); // grid inflation is 2^-10: below the test's resolution
        }
        assertTrue(Stats.majorityOf5(() -> {
            long[] picks = new long[100_000];
            for (int i = 0; i < picks.length; i++) {
                picks[i] = em.select(scores);
            }
            return Stats.chiSquarePValue(picks, x -> x >= 0 && x < 4 ? w[(int) x] : 0, 4) >= Stats.ALPHA;
        }));
    }

    @Test
    void worstCaseRatio_isAtMostExpEpsilon() {
        // neighbouring score vectors differ by Δ=1 in each coordinate: the label probabilities differ by ≤ e^ε
        double eps = 1.0;
        ExponentialMechanism em = ExponentialMechanism.forProbabilities(eps);
        int n = 200_000;
        double[] a = {1.0, 0.0};
        double[] b = {0.0, 1.0};
        int ca = 0;
        int cb = 0;
        for (int i = 0; i < n; i++) {
            ca += em.select(a) == 0 ? 1 : 0;
            cb += em.select(b) == 0 ? 1 : 0;
        }
        double ratio = (ca / (double) n) / (cb / (double) n);
        // exact: P_a(0) = e^{ε/2}/(e^{ε/2}+1), P_b(0) = 1/(1+e^{ε/2}), ratio e^{ε/2} ≤ e^ε
        assertEquals(Math.exp(eps / 2), ratio, 0.05);
        assertTrue(ratio <= Math.exp(eps));
    }

    /**
     * The tight case for the exponential mechanism: one label gains Δ while 49 others lose Δ. The probability
     * ratio of that label approaches e^ε; a mechanism with 20 % too little randomness (ε/0.8) exceeds it.
     */
    @Test
    void neighbouringScores_ratioStaysBelowExpEpsilon_and20PercentTooLittleNoiseIsCaught() {
        double eps = 1.0;
        int m = 50;
        double[] a = new double[m];
        double[] b = new double[m];
        a[0] = 1.0;
        java.util.Arrays.fill(b, 1, m, 1.0);
        ExponentialMechanism right = ExponentialMechanism.forProbabilities(eps);
        ExponentialMechanism weak = ExponentialMechanism.forProbabilities(eps / 0.8);
        java.util.function.ToDoubleFunction<ExponentialMechanism> ratio = em -> {
            int n = 100_000;
            int ca = 0;
            int cb = 0;
            for (int i = 0; i < n; i++) {
                ca += em.select(a) == 0 ? 1 : 0;
                cb += em.select(b) == 0 ? 1 : 0;
            }
            return (double) ca / Math.max(1, cb);
        };
        double bound = Math.exp(eps) + 0.3; // exact ratio of the correct mechanism: 2.66; of the weak one: 3.40
        assertTrue(Stats.majorityOf5(() -> ratio.applyAsDouble(right) <= bound), "correct EM exceeded e^eps");
        assertTrue(Stats.majorityOf5(() -> ratio.applyAsDouble(weak) > bound), "EM with 20% too little noise passed");
    }

    @Test
    void badInput_isRefused() {
        ExponentialMechanism em = ExponentialMechanism.forProbabilities(1);
        assertThrows(IllegalArgumentException.class, () -> em.select(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> em.select(new double[] {Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> ExponentialMechanism.forProbabilities(0));
        assertEquals(PrivacyCost.ofRho(0.5), em.cost());
    }
}
