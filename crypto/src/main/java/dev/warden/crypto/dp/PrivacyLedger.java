package dev.warden.crypto.dp;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Privacy-budget ledger: debits a release's ρ against the tenant's cap on a model and the model's global cap,
 * atomically, durably and idempotently.
 *
 * <p>Use: debit <em>before</em> the model is called; on success call the model, add noise, call
 * {@link DebitReceipt#markReleased()}, answer. Refund only if no noisy output was ever produced (the model
 * failed, the noise pool was unavailable).
 * <pre>{@code
 * DebitReceipt r = ledger.reserve(requestId, tenant, model, mechanism.cost());   // may throw: 429 / 503
 * try {
 *     double[] y = ...call the model...;
 *     NoisyOutput out = mechanism.apply(y, pool);
 *     r.markReleased();
 *     ledger.awaitDurable(r);          // fsync overlapped the model call; throws → send nothing
 *     ...answer with out...
 * } catch (Exception e) { if (!r.released()) ledger.refund(r); throw e; }
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>No overspend: a debit is admitted only if both caps hold after it, atomically with respect to all other
 *       debits on the same ledger (embedded: one lock; Redis: one Lua script).</li>
 *   <li>No budget lost: when {@code debit} returns, the debit is durable (embedded: fsync'd journal; Redis: as
 *       durable as the Redis server's persistence settings). Costs are rounded up and caps down.</li>
 *   <li>Idempotent: a second debit with the same request id returns the first receipt and charges nothing.</li>
 *   <li>Fail closed: if the debit cannot be recorded the call throws {@link PrivacyLedgerUnavailableException}.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface PrivacyLedger extends AutoCloseable {

    /**
     * Debits {@code cost} for request {@code requestId}.
     *
     * @throws PrivacyBudgetExhaustedException if either cap would be passed (nothing is charged)
     * @throws PrivacyLedgerUnavailableException if the debit cannot be recorded
     * @throws IllegalArgumentException if an id is empty or the model has no budget policy
     */
    DebitReceipt debit(String requestId, String tenant, String model, PrivacyCost cost)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException;

    /**
     * Like {@link #debit}, but may return before the debit is durable, so the durability wait (an fsync for the
     * embedded ledger) overlaps the model call. The caps are checked and the budget reserved before this returns,
     * exactly as for {@code debit}. The caller <b>must</b> call {@link #awaitDurable(DebitReceipt)} before any
     * output leaves the gateway; if that throws, the answer must not be sent (fail closed).
     *
     * <p>Default: {@link #debit} (already durable).
     */
    default DebitReceipt reserve(String requestId, String tenant, String model, PrivacyCost cost)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        return debit(requestId, tenant, model, cost);
    }

    /**
     * {@link #reserve}, with the ledger's background durability work (the embedded journal's flusher thread) woken
     * through {@code wake} instead of at once. Why: waking another thread from an event loop often lets the kernel
     * run that thread first on the caller's core, which costs the caller tens of microseconds before it can send
     * the model call; an event loop passes an executor that runs after its current task (after the model call was
     * sent), so the fsync overlaps the model call instead of delaying it. {@link #whenDurable} and
     * {@link #awaitDurable} start the work themselves, so durability never depends on {@code wake} running.
     *
     * <p>Default: {@link #reserve} (nothing to wake).
     */
    default DebitReceipt reserve(String requestId, String tenant, String model, PrivacyCost cost,
            java.util.concurrent.Executor wake)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        return reserve(requestId, tenant, model, cost);
    }

    /**
     * Blocks until the debit of {@code receipt} is durable (no-op for receipts from {@link #debit}).
     *
     * @throws PrivacyLedgerUnavailableException if it cannot be made durable: do not release the answer
     */
    default void awaitDurable(DebitReceipt receipt) throws PrivacyLedgerUnavailableException {
    }

    /**
     * Non-blocking {@link #awaitDurable}: completes when the debit of {@code receipt} is durable, or fails with
     * {@link PrivacyLedgerUnavailableException} (then the answer must not be sent). For servers whose threads must
     * not block (an event loop waits for the embedded ledger's fsync this way).
     *
     * <p>Default: runs {@link #awaitDurable} on the calling thread, which is right for ledgers whose receipts are
     * durable on return (Redis: a no-op). A ledger whose {@code awaitDurable} blocks must override this.
     */
    default CompletionStage<Void> whenDurable(DebitReceipt receipt) {
        try {
            awaitDurable(receipt);
            return CompletableFuture.completedStage(null);
        } catch (PrivacyLedgerUnavailableException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    /**
     * Whether {@link #reserve} may block on I/O (a network round trip, a disk write). {@code false} promises it
     * only takes a short in-memory lock, so an event-loop thread may call it directly instead of paying a hop to
     * a worker thread. Default: {@code true}.
     */
    default boolean reserveMayBlock() {
        return true;
    }

    /**
     * Returns a debit whose request produced no noisy output. Refunding a {@link DebitReceipt#repeated()} receipt
     * does nothing: only the holder of the original debit may refund it.
     *
     * @throws IllegalStateException if {@link DebitReceipt#markReleased()} was called
     * @throws PrivacyLedgerUnavailableException if the refund cannot be recorded (the budget stays spent)
     */
    void refund(DebitReceipt receipt) throws PrivacyLedgerUnavailableException;

    /** Current balances of a tenant on a model. */
    BudgetStatus status(String tenant, String model) throws PrivacyLedgerUnavailableException;

    @Override
    void close();
}
