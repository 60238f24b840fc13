package dev.warden.gateway.runtime;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/** The one place error bodies are made: {@code {"error": "...", "code": "..."}}. */
public final class Errors {
  private Errors() {}

  public static Buffer body(String code, String message) {
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    StringBuilder sb = new StringBuilder(64 + message.length());
    sb.append("{\"error\":\"");
    enc.quoteAsString(message, sb);
    sb.append("\",\"code\":\"");
    enc.quoteAsString(code, sb);
    sb.append("\"}");
    return Buffer.buffer(sb.toString());
  }

  /** Writes the error unless a response is already under way. */
  public static void write(HttpServerResponse resp, int status, String code, String message) {
    if (resp.headWritten() || resp.ended() || resp.closed()) {
      return;
    }
    Buffer b = body(code, message);
    resp.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Content-Length", Integer.toString(b.length()));
    if (status == 401) {
      resp.putHeader("WWW-Authenticate", "Bearer");
    }
    resp.end(b);
  }
}
