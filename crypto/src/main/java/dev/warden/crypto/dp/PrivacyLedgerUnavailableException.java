package dev.warden.crypto.dp;

/**
 * The ledger cannot record a debit (Redis unreachable or timed out, journal write or fsync failed). Fail closed:
 * refuse the request (HTTP 503, code {@code privacy_ledger_unavailable}) unless the policy explicitly says
 * otherwise. When a Redis call failed after it was sent, the debit may or may not have been applied; it is never
 * refunded automatically, so budgets can only be over-counted, never under-counted.
 */
public final class PrivacyLedgerUnavailableException extends PrivacyLedgerException {
    private static final long serialVersionUID = 1L;

    public PrivacyLedgerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "privacy_ledger_unavailable";
    }
}
