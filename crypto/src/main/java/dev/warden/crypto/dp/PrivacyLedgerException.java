package dev.warden.crypto.dp;

/** Base of the ledger's checked exceptions: the request must not be answered with model output. */
public abstract class PrivacyLedgerException extends Exception {
    private static final long serialVersionUID = 1L;

    PrivacyLedgerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A stable machine-readable code for the gateway's JSON error. */
    public abstract String code();
}
