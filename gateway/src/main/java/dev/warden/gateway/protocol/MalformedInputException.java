package dev.warden.gateway.protocol;

/**
 * The body does not follow the protocol; the message names the offending field. The gateway maps every
 * kind to 422; a model server (the demo's) answers 400 for a body it cannot read at all.
 */
public final class MalformedInputException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the body. */
  public enum Kind {
    /** Not JSON, or not a JSON object. */
    NOT_JSON,
    /** The binary extension's framing: header length, or bytes no {@code binary_data_size} accounts for. */
    FRAMING,
    /** Readable, but a field is missing, of the wrong type or does not fit its shape. */
    INVALID
  }

  private final Kind kind;

  public MalformedInputException(String message) {
    this(Kind.INVALID, message);
  }

  public MalformedInputException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
