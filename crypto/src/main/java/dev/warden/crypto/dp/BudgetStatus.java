package dev.warden.crypto.dp;

/**
 * Balances of one (tenant, model) in the current period, with ε reporting at the policy's δ.
 *
 * @param tenant tenant id
 * @param model model name
 * @param policy the model's budget policy
 * @param tenantSpentMicros ρ spent by the tenant on the model, micro-units
 * @param globalSpentMicros ρ spent by all tenants on the model, micro-units
 */
public record BudgetStatus(String tenant, String model, ModelBudgetPolicy policy, long tenantSpentMicros,
        long globalSpentMicros) {

    /** ε the tenant has spent at the policy's δ (header {@code Warden-Privacy-Epsilon-Spent}). */
    public double epsilonSpent() {
        return policy.perTenant().epsilonSpent(tenantSpentMicros);
    }

    /**
     * ε the tenant can still spend at the policy's δ (header {@code Warden-Privacy-Epsilon-Remaining}): the
     * tenant's ε minus the ε of the ρ already unavailable to it, counting the global cap when that binds first.
     */
    public double epsilonRemaining() {
        PrivacyBudget t = policy.perTenant();
        long remaining = Math.min(t.capMicros() - tenantSpentMicros,
                policy.global().capMicros() - globalSpentMicros);
        if (remaining <= 0) {
            return 0;
        }
        return t.epsilonRemaining(t.capMicros() - remaining);
    }

    /** ρ micro-units the tenant may still debit on this model (both caps). */
    public long remainingMicros() {
        return Math.max(0, Math.min(policy.perTenant().capMicros() - tenantSpentMicros,
                policy.global().capMicros() - globalSpentMicros));
    }
}
