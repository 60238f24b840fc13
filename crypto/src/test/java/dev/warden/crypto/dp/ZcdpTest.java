package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ZcdpTest {

    @Test
    void goldenValues_eps1_delta1e6() {
        // issue 4 golden values; also CKS 2020 §… and Steinke's "Composition of DP & zCDP" notes
        assertEquals(0.01747, Zcdp.rhoCapSimple(1, 1e-6), 5e-6);
        assertEquals(0.02436, Zcdp.rhoCapImproved(1, 1e-6), 5e-6);
    }

    @Test
    void epsilonImproved_solvedForTheOptimalOrder_equalsTheScannedInfimum_fromTinyToHugeRho() {
        for (double delta : new double[] {1e-3, 1e-6, 1e-9, 1e-12}) {
            for (double rho = 1e-9; rho < 1e4; rho *= 1.7) {
                double scanned = Math.max(0, Zcdp.epsilonImprovedByScan(rho, delta)); // ε is reported as ≥ 0
                double solved = Zcdp.epsilonImproved(rho, delta);
                // the scan only approaches the infimum from above: the solved value may be smaller, and larger only
                // by the rounding of the bound's evaluation (cancellation of terms ~ln(1/δ) leaves ~1e-11 relative)
                assertTrue(solved <= scanned * (1 + 1e-10), rho + " " + delta + ": " + solved + " > " + scanned);
                assertEquals(scanned, solved, 1e-9 * scanned, rho + " " + delta);
                assertTrue(solved >= 0);
            }
        }
    }

    @Test
    void conversions_roundTrip() {
        for (double eps : new double[] {0.1, 0.5, 1, 2, 8}) {
            for (double delta : new double[] {1e-5, 1e-6, 1e-9}) {
                double simple = Zcdp.rhoCapSimple(eps, delta);
                assertEquals(eps, Zcdp.epsilonSimple(simple, delta), 1e-9);
                double improved = Zcdp.rhoCapImproved(eps, delta);
                assertTrue(Zcdp.epsilonImproved(improved, delta) <= eps);
                assertEquals(eps, Zcdp.epsilonImproved(improved, delta), 1e-6 * eps);
                assertTrue(improved >= simple, "improved conversion must allow at least the simple cap");
                assertTrue(Zcdp.epsilonImproved(simple, delta) <= Zcdp.epsilonSimple(simple, delta) + 1e-12);
            }
        }
    }

    @Test
    void budget_capsRoundDown_spentCountsUp_remainingReachesZeroAtCap() {
        PrivacyBudget b = PrivacyBudget.ofEpsilonDelta(1, 1e-6);
        assertEquals(24355, b.capMicros()); // 0.0243559… rounded down
        assertEquals(0.0, b.epsilonSpent(0));
        assertEquals(1.0, b.epsilonRemaining(0));
        double prev = -1;
        for (long s = 0; s <= b.capMicros(); s += 1000) {
            double spent = b.epsilonSpent(s);
            assertTrue(spent > prev);
            assertTrue(spent <= 1.0);
            assertEquals(1.0, spent + b.epsilonRemaining(s), 1e-9);
            prev = spent;
        }
        assertEquals(0.0, b.epsilonRemaining(b.capMicros()));
        assertEquals(1.0, b.epsilonSpent(b.capMicros()), 1e-4);
        assertEquals(24, b.releasesRemaining(0, PrivacyCost.ofRho(0.001)));
    }

    @Test
    void rhoCapBudget_reportsEpsilonAtDelta() {
        PrivacyBudget b = PrivacyBudget.ofRhoCap(0.02436, 1e-6);
        assertEquals(24360, b.capMicros());
        assertEquals(1.0, b.epsilon(), 1e-3);
        assertEquals(7, PrivacyBudget.ofRhoCap(0.0000079, 1e-6).capMicros()); // rounded down
    }

    @Test
    void costs_roundUp() {
        assertEquals(2, PrivacyCost.ofRho(0.0000011).micros());
        assertEquals(500_000, PrivacyCost.ofPureEpsilon(1).micros());
        assertEquals(1, PrivacyCost.ofRho(1e-12).micros());
        assertEquals(PrivacyCost.ofRho(0.5), PrivacyCost.ofGaussian(1, 1));
        assertEquals(3_000, PrivacyCost.ofMicros(1_000).times(3).micros());
        assertThrows(IllegalArgumentException.class, () -> PrivacyCost.ofMicros(1).times(-1));
        assertThrows(IllegalArgumentException.class, () -> PrivacyCost.ofRho(-1));
        assertThrows(IllegalArgumentException.class, () -> PrivacyCost.ofRho(Double.NaN));
    }

    @Test
    void badPolicyValues_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> PrivacyBudget.ofEpsilonDelta(0, 1e-6));
        assertThrows(IllegalArgumentException.class, () -> PrivacyBudget.ofEpsilonDelta(1, 0));
        assertThrows(IllegalArgumentException.class, () -> PrivacyBudget.ofEpsilonDelta(1, 1));
        PrivacyBudget b = PrivacyBudget.ofEpsilonDelta(1, 1e-6);
        assertThrows(IllegalArgumentException.class,
                () -> new ModelBudgetPolicy(b, b, Optional.of(Duration.ofMillis(10))));
        assertEquals(3, new ModelBudgetPolicy(b, b, Optional.of(Duration.ofDays(1))).periodAt(3 * 86_400_000L + 5));
        assertEquals(0, ModelBudgetPolicy.of(b, b).periodAt(System.currentTimeMillis()));
    }
}
