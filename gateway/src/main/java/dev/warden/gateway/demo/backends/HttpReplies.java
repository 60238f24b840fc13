package dev.warden.gateway.demo.backends;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers the demo servers share: bounded body reading and JSON answers. */
final class HttpReplies {
  static final String JSON = "application/json";

  private HttpReplies() {}

  /**
   * Reads the whole request body, failing with a 413 {@link BackendException} once it exceeds {@code max}
   * bytes (the rest of the body is then discarded and the connection closed after the answer).
   */
  static Future<Buffer> readBody(HttpServerRequest req, int max) {
    String declared = req.getHeader("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > max) {
          return Future.failedFuture(tooLarge(max));
        }
      } catch (NumberFormatException e) {
        return Future.failedFuture(BackendException.badRequest("Content-Length: '" + declared + "' is not a number"));
      }
    }
    Promise<Buffer> body = Promise.promise();
    Buffer acc = Buffer.buffer();
    req.handler(chunk -> {
      if (acc.length() + chunk.length() > max) {
        body.tryFail(tooLarge(max));
      } else {
        acc.appendBuffer(chunk);
      }
    });
    req.exceptionHandler(body::tryFail);
    req.endHandler(v -> body.tryComplete(acc));
    return body.future();
  }

  private static BackendException tooLarge(int max) {
    return new BackendException(413, "body_too_large", "request body exceeds " + max + " bytes");
  }

  static void json(HttpServerRequest req, int status, Object value, ObjectMapper mapper) {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode reply", e);
    }
    req.response().setStatusCode(status).putHeader("Content-Type", JSON).end(Buffer.buffer(bytes));
  }

  /** Answers {@code {"error": message, "code": code}} with the exception's status. */
  static void error(HttpServerRequest req, Throwable failure, ObjectMapper mapper) {
    BackendException e = failure instanceof BackendException be ? be
        : new BackendException(500, "internal_error", "internal error: " + failure.getClass().getSimpleName()
            + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.headWritten()) {
      req.connection().close();
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", e.getMessage());
    body.put("code", e.code());
    if (e.status() == 413) {
      // The rest of the oversized body is not read: end the connection after the answer.
      resp.putHeader("Connection", "close");
      resp.endHandler(v -> req.connection().close());
    }
    json(req, e.status(), body, mapper);
  }
}
