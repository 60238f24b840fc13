package dev.warden.gateway.pipeline;

/**
 * A refusal with its HTTP status and stable error code, rendered as {@code {"error", "code"}}.
 * It carries no stack trace: refusals are ordinary outcomes on a hot path, not bugs.
 */
public final class StageRejection extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  public StageRejection(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
