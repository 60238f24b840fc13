package dev.warden.crypto.dp;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The budgets of one model: a cap per (tenant, model) and a global cap per model shared by all tenants (so
 * colluding or fake tenants cannot multiply the budget), and an optional reset period — only when the policy
 * says so; by default budgets never reset. Immutable.
 *
 * @param perTenant budget of each tenant on this model
 * @param global budget of this model over all tenants
 * @param resetPeriod if present, spending counts per period of this length since the epoch (UTC)
 */
public record ModelBudgetPolicy(PrivacyBudget perTenant, PrivacyBudget global, Optional<Duration> resetPeriod) {

    public ModelBudgetPolicy {
        Objects.requireNonNull(perTenant, "perTenant");
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(resetPeriod, "resetPeriod");
        resetPeriod.ifPresent(p -> {
            if (p.isNegative() || p.toSeconds() < 1) {
                throw new IllegalArgumentException("reset period must be at least one second, got " + p);
            }
        });
    }

    /** Budgets that never reset. */
    public static ModelBudgetPolicy of(PrivacyBudget perTenant, PrivacyBudget global) {
        return new ModelBudgetPolicy(perTenant, global, Optional.empty());
    }

    /** The period index for an instant (0 when budgets never reset). */
    public long periodAt(long epochMillis) {
        return resetPeriod.map(p -> Math.floorDiv(epochMillis, p.toMillis())).orElse(0L);
    }
}
