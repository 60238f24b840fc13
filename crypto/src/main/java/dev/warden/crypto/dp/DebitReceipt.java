package dev.warden.crypto.dp;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Proof that a request's cost was durably debited. Call {@link #markReleased()} as soon as any noisy output
 * has been produced: from then on {@link PrivacyLedger#refund} refuses, because noise once seen is spent.
 */
public final class DebitReceipt {
    private final String requestId;
    private final long period;
    private final PrivacyCost cost;
    private final BudgetStatus status;
    private final boolean repeated;
    private final AtomicBoolean released = new AtomicBoolean();
    private final long journalSeq; // embedded ledger: record number to wait for; 0 when already durable

    DebitReceipt(String requestId, long period, PrivacyCost cost, BudgetStatus status, boolean repeated) {
        this(requestId, period, cost, status, repeated, 0);
    }

    DebitReceipt(String requestId, long period, PrivacyCost cost, BudgetStatus status, boolean repeated,
            long journalSeq) {
        this.journalSeq = journalSeq;
        this.requestId = requestId;
        this.period = period;
        this.cost = cost;
        this.status = status;
        this.repeated = repeated;
    }

    long journalSeq() {
        return journalSeq;
    }

    public String requestId() {
        return requestId;
    }

    public String tenant() {
        return status.tenant();
    }

    public String model() {
        return status.model();
    }

    public PrivacyCost cost() {
        return cost;
    }

    /** Budget period the debit was booked in (0 when budgets never reset). */
    public long period() {
        return period;
    }

    /** Balances right after this debit (for the response headers). */
    public BudgetStatus status() {
        return status;
    }

    /** True if this request id had already been debited: nothing new was charged. */
    public boolean repeated() {
        return repeated;
    }

    /** Records that noisy output was produced; the debit can no longer be refunded. */
    public void markReleased() {
        released.set(true);
    }

    public boolean released() {
        return released.get();
    }

    @Override
    public String toString() {
        return "DebitReceipt{request=" + requestId + ", tenant=" + tenant() + ", model=" + model() + ", " + cost
                + (repeated ? ", repeated" : "") + "}";
    }
}
