package dev.warden.gateway.demo.backends;

/**
 * A request the demo backends refuse, carrying the HTTP status and the stable machine code that the JSON
 * error body {@code {"error": message, "code": code}} reports.
 */
final class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  BackendException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  static BackendException badRequest(String message) {
    return new BackendException(400, "bad_request", message);
  }

  static BackendException invalidJson(String message) {
    return new BackendException(400, "invalid_json", message);
  }

  static BackendException notFound(String code, String message) {
    return new BackendException(404, code, message);
  }

  /** A well-formed request whose tensors do not fit the model (names the field in the message). */
  static BackendException invalidInput(String message) {
    return new BackendException(422, "invalid_input", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
