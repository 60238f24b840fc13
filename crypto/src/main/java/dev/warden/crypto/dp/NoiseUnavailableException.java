package dev.warden.crypto.dp;

/**
 * A {@link NoisePool} could not supply noise (closed, or no values arrived within its wait limit). The caller
 * must not release an un-noised answer: fail closed (the debit may be refunded, no noisy output was produced).
 */
public final class NoiseUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NoiseUnavailableException(String message) {
        super(message);
    }
}
