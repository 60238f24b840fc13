package dev.warden.gateway.protocol;

/** The body does not follow the protocol; the message names the offending field. Maps to 422. */
public final class MalformedInputException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedInputException(String message) {
    super(message, null, false, false);
  }
}
