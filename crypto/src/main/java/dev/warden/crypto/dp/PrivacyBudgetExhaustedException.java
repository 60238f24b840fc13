package dev.warden.crypto.dp;

/**
 * The debit would pass a cap: the request is refused (HTTP 429 {@code {"code": "privacy_budget_exhausted"}}).
 * Nothing was charged.
 */
public final class PrivacyBudgetExhaustedException extends PrivacyLedgerException {
    private static final long serialVersionUID = 1L;

    /** Which cap refused. */
    public enum Cap {
        /** The tenant's budget on this model. */
        TENANT,
        /** The model's global budget over all tenants. */
        GLOBAL
    }

    private final Cap cap;
    private final transient BudgetStatus status;

    public PrivacyBudgetExhaustedException(Cap cap, BudgetStatus status) {
        super("privacy budget exhausted (" + (cap == Cap.TENANT ? "tenant" : "global") + " cap) for tenant '"
                + status.tenant() + "' on model '" + status.model() + "'", null);
        this.cap = cap;
        this.status = status;
    }

    public Cap cap() {
        return cap;
    }

    /** The balances when the debit was refused (for the ε-spent / ε-remaining headers). */
    public BudgetStatus status() {
        return status;
    }

    @Override
    public String code() {
        return "privacy_budget_exhausted";
    }
}
