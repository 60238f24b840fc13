package dev.warden.crypto.dp;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * One (ε, δ) budget held as a ρ cap in integer micro-units (rounded down), with ε-spent / ε-remaining
 * reporting at the budget's δ. Immutable.
 *
 * <h2>Security guarantees</h2>
 * Any sequence of releases whose ρ costs sum to at most {@link #capMicros()} micro-units is (ε, δ)-DP for the
 * protected unit, by the improved zCDP conversion ({@link Zcdp#rhoCapImproved}). Not guaranteed: anything about
 * releases that were not debited against this budget.
 */
public final class PrivacyBudget {

    private final double epsilon;
    private final double delta;
    private final long capMicros;

    private PrivacyBudget(double epsilon, double delta, long capMicros) {
        this.epsilon = epsilon;
        this.delta = delta;
        this.capMicros = capMicros;
    }

    /** The budget (ε, δ), converted to a ρ cap by the improved conversion and rounded down to micro-units. */
    public static PrivacyBudget ofEpsilonDelta(double epsilon, double delta) {
        double rho = Zcdp.rhoCapImproved(epsilon, delta);
        long micros = BigDecimal.valueOf(rho).multiply(BigDecimal.valueOf(PrivacyCost.MICROS_PER_RHO))
                .setScale(0, RoundingMode.FLOOR).longValueExact();
        return new PrivacyBudget(epsilon, delta, micros);
    }

    /**
     * A budget stated directly as a ρ cap (rounded down to micro-units); its ε is reported at δ by the improved
     * conversion.
     */
    public static PrivacyBudget ofRhoCap(double rho, double delta) {
        if (!Double.isFinite(rho) || rho <= 0) {
            throw new IllegalArgumentException("rho cap must be finite and > 0, got " + rho);
        }
        long micros = BigDecimal.valueOf(rho).multiply(BigDecimal.valueOf(PrivacyCost.MICROS_PER_RHO))
                .setScale(0, RoundingMode.FLOOR).longValueExact();
        return new PrivacyBudget(Zcdp.epsilonImproved(micros / (double) PrivacyCost.MICROS_PER_RHO, delta), delta,
                micros);
    }

    public double epsilon() {
        return epsilon;
    }

    public double delta() {
        return delta;
    }

    /** The ρ cap in micro-units (rounded down). */
    public long capMicros() {
        return capMicros;
    }

    /** ε spent at this budget's δ for a spent ρ (improved conversion); at most ε while spending stays within the cap. */
    public double epsilonSpent(long spentMicros) {
        if (spentMicros <= 0) {
            return 0;
        }
        return Zcdp.epsilonImproved(spentMicros / (double) PrivacyCost.MICROS_PER_RHO, delta);
    }

    /** ε still available at this budget's δ: ε − ε_spent, at least 0; exactly 0 once the cap is reached. */
    public double epsilonRemaining(long spentMicros) {
        if (spentMicros >= capMicros) {
            return 0;
        }
        return Math.max(0, epsilon - epsilonSpent(spentMicros));
    }

    /** How many more releases of {@code cost} fit. */
    public long releasesRemaining(long spentMicros, PrivacyCost cost) {
        if (cost.micros() == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (capMicros - spentMicros) / cost.micros());
    }

    @Override
    public String toString() {
        return "PrivacyBudget{epsilon=" + epsilon + ", delta=" + delta + ", rhoCap=" + PrivacyCost.ofMicros(capMicros)
                + "}";
    }
}
