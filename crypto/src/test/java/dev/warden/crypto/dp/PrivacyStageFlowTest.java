package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The call sequence the gateway's privacy stage uses (ARCHITECTURE.md steps 5, 7 and 9), end to end on the
 * library: cache lookup → debit → model → noise → markReleased → cache; refund when no output was produced.
 * Checks that ε-remaining counts down and that the refusal comes exactly at the cap.
 */
class PrivacyStageFlowTest {
    @TempDir
    Path dir;

    /** What the gateway would send back: noisy values or an error code, plus the two headers. */
    record Answer(double[] values, String errorCode, double epsilonSpent, double epsilonRemaining) {
    }

    static final class Stage {
        final NumericMechanism mechanism;
        final NoisePool pool;
        final PrivacyLedger ledger;
        final NoisyResponseCache<Answer> cache = new NoisyResponseCache<>(1000);

        Stage(NumericMechanism mechanism, PrivacyLedger ledger) {
            this.mechanism = mechanism;
            this.pool = mechanism.startPool(4096);
            this.ledger = ledger;
        }

        Answer handle(String requestId, String tenant, String model, byte[] digest, double[] modelOutput,
                boolean modelFails) throws PrivacyLedgerUnavailableException {
            Optional<Answer> hit = cache.get(tenant, model, digest);
            if (hit.isPresent()) {
                return hit.get();
            }
            DebitReceipt r;
            try {
                r = ledger.debit(requestId, tenant, model, mechanism.cost());
            } catch (PrivacyBudgetExhaustedException e) {
                return new Answer(null, e.code(), e.status().epsilonSpent(), e.status().epsilonRemaining());
            }
            if (modelFails) {
                ledger.refund(r); // nothing was released
                return new Answer(null, "backend_error", r.status().epsilonSpent(), r.status().epsilonRemaining());
            }
            NoisyOutput out = mechanism.apply(modelOutput, pool, NumericMechanism.Precision.FLOAT32);
            r.markReleased();
            Answer a = new Answer(out.values(), null, r.status().epsilonSpent(), r.status().epsilonRemaining());
            return cache.putIfAbsent(tenant, model, digest, a);
        }
    }

    private static byte[] digest(int i) {
        byte[] d = new byte[32];
        d[0] = (byte) i;
        d[1] = (byte) (i >> 8);
        return d;
    }

    @Test
    void budgetCountsDown_refusalComesExactlyAtTheCap_repeatsAreFree_failuresAreRefunded() throws Exception {
        // per query ρ = 0.002 (Gaussian on a 10-class probability vector); tenant (ε=1, δ=1e-6) → ρ cap 0.024355
        NumericMechanism mech = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, 0.002));
        PrivacyBudget tenantBudget = PrivacyBudget.ofEpsilonDelta(1.0, 1e-6);
        PrivacyBudget globalBudget = PrivacyBudget.ofEpsilonDelta(4.0, 1e-6);
        ModelBudgetPolicy policy = ModelBudgetPolicy.of(tenantBudget, globalBudget);
        long allowed = tenantBudget.capMicros() / mech.cost().micros(); // 12
        assertEquals(12, allowed);
        double[] probs = {0.5, 0.2, 0.1, 0.1, 0.05, 0.05, 0, 0, 0, 0};
        try (JournalPrivacyLedger ledger = JournalPrivacyLedger.open(dir.resolve("privacy.journal"),
                Map.of("digits", policy)::get)) {
            Stage stage = new Stage(mech, ledger);
            // a failing model call is refunded: the budget is unchanged
            Answer failed = stage.handle("req-fail", "alice", "digits", digest(9999), probs, true);
            assertEquals("backend_error", failed.errorCode());
            assertEquals(0, ledger.status("alice", "digits").tenantSpentMicros());
            List<Double> remaining = new ArrayList<>();
            for (int i = 0; i < allowed; i++) {
                Answer a = stage.handle("req-" + i, "alice", "digits", digest(i), probs, false);
                assertEquals(null, a.errorCode(), "refused early at query " + i);
                assertFalse(Arrays.equals(probs, a.values()), "output must be noisy");
                remaining.add(a.epsilonRemaining());
                // a repeat of the same input: same answer, no charge
                Answer again = stage.handle("req-" + i + "-retry", "alice", "digits", digest(i), probs, false);
                assertTrue(Arrays.equals(a.values(), again.values()));
            }
            for (int i = 1; i < remaining.size(); i++) {
                assertTrue(remaining.get(i) < remaining.get(i - 1), "epsilon remaining must count down");
            }
            // the next fresh query is refused: exactly at the cap
            Answer refused = stage.handle("req-x", "alice", "digits", digest(5000), probs, false);
            assertEquals("privacy_budget_exhausted", refused.errorCode());
            // what is left is less than one query's worth (355 of 2000 micro-units of ρ), reported honestly
            assertTrue(refused.epsilonRemaining() > 0 && refused.epsilonRemaining() < 0.01, "" + refused.epsilonRemaining());
            assertTrue(ledger.status("alice", "digits").remainingMicros() < mech.cost().micros());
            assertTrue(refused.epsilonSpent() <= 1.0 && refused.epsilonSpent() > 0.9, "" + refused.epsilonSpent());
            // another tenant is unaffected; repeats of alice's old questions are still answered
            assertEquals(null, stage.handle("b-0", "bob", "digits", digest(0), probs, false).errorCode());
            assertEquals(null, stage.handle("req-0-again", "alice", "digits", digest(0), probs, false).errorCode());
            stage.pool.close();
            assertThrows(NoiseUnavailableException.class, () -> mech.apply(probs, stage.pool));
        }
    }
}
