package dev.warden.crypto.secagg;

/**
 * Every refusal of the secure-aggregation library. The {@link Code} is stable and meant for mapping to a
 * transport status (the gateway maps it to HTTP); the message names the cause in plain words and never
 * contains secret material.
 */
public final class SecAggException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Stable machine codes, each with the HTTP status a server answers (in brackets). */
  public enum Code {
    /** Bytes that do not parse as the expected canonical encoding [422]. */
    MALFORMED(422),
    /** Signature does not verify under the sender's enrolled key [401]. */
    BAD_SIGNATURE(401),
    /** Sender is not in the round's cohort [403]. */
    NOT_ENROLLED(403),
    /** Message bound to another round, protocol label or recipient (e.g. a replay) [409]. */
    WRONG_ROUND(409),
    /** Message for a phase that is not open, or a late message from a client declared dropped [409]. */
    WRONG_PHASE(409),
    /** A different message from the same sender for the same phase [409]. */
    DUPLICATE(409),
    /** Data asked for before the phase that produces it has closed: retry later [425]. */
    NOT_READY(425),
    /** The round failed (e.g. too few survivors); the message says why [410]. */
    ROUND_FAILED(410),
    /** Caller may not read this (e.g. aggregate reader list) [403]. */
    FORBIDDEN(403),
    /** Unknown round [404]. */
    NOT_FOUND(404),
    /** A peer or the server broke the protocol (inconsistent sets, bad ciphertext, bad share) [422]. */
    PROTOCOL_VIOLATION(422),
    /** Invalid parameters or state (caller error) [400]. */
    INVALID_ARGUMENT(400),
    /** Storage failure [500]. */
    IO(500);

    private final int httpStatus;

    Code(int httpStatus) {
      this.httpStatus = httpStatus;
    }

    /** The HTTP status for this refusal (the gateway's and the test servers' one mapping). */
    public int httpStatus() {
      return httpStatus;
    }
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
