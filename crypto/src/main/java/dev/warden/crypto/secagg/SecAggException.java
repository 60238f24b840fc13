package dev.warden.crypto.secagg;

/**
 * Every refusal of the secure-aggregation library. The {@link Code} is stable and meant for mapping to a
 * transport status (the gateway maps it to HTTP); the message names the cause in plain words and never
 * contains secret material.
 */
public final class SecAggException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable machine codes. Suggested HTTP mapping in brackets. */
  public enum Code {
    /** Bytes that do not parse as the expected canonical encoding [422]. */
    MALFORMED,
    /** Signature does not verify under the sender's enrolled key [401]. */
    BAD_SIGNATURE,
    /** Sender is not in the round's cohort [403]. */
    NOT_ENROLLED,
    /** Message bound to another round, protocol label or recipient (e.g. a replay) [409]. */
    WRONG_ROUND,
    /** Message for a phase that is not open, or a late message from a client declared dropped [409]. */
    WRONG_PHASE,
    /** A different message from the same sender for the same phase [409]. */
    DUPLICATE,
    /** Data asked for before the phase that produces it has closed: retry later [409/425]. */
    NOT_READY,
    /** The round failed (e.g. too few survivors); the message says why [410]. */
    ROUND_FAILED,
    /** Caller may not read this (e.g. aggregate reader list) [403]. */
    FORBIDDEN,
    /** Unknown round [404]. */
    NOT_FOUND,
    /** A peer or the server broke the protocol (inconsistent sets, bad ciphertext, bad share) [422]. */
    PROTOCOL_VIOLATION,
    /** Invalid parameters or state (caller error) [400]. */
    INVALID_ARGUMENT,
    /** Storage failure [500]. */
    IO
  }

  private final Code code;

  public SecAggException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public SecAggException(Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  static SecAggException malformed(String what) {
    return new SecAggException(Code.MALFORMED, what);
  }
}
