package dev.warden.crypto.dp;

import java.util.function.Function;

/** Budget policies shared by the ledger tests. */
final class LedgerFixtures {
    private LedgerFixtures() {
    }

    /** A policy whose caps are exactly the given micro-units (built through the public budget type's maths). */
    static ModelBudgetPolicy caps(long tenantCapMicros, long globalCapMicros) {
        return ModelBudgetPolicy.of(budgetWithCap(tenantCapMicros), budgetWithCap(globalCapMicros));
    }

    /** A budget whose ρ cap is exactly {@code micros}, reported at δ = 1e-6. */
    static PrivacyBudget budgetWithCap(long micros) {
        return PrivacyBudget.ofRhoCap(micros / (double) PrivacyCost.MICROS_PER_RHO, 1e-6);
    }

    static Function<String, ModelBudgetPolicy> only(String model, ModelBudgetPolicy p) {
        return m -> m.equals(model) ? p : null;
    }
}
