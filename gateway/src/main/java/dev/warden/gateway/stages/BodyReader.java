package dev.warden.gateway.stages;

import dev.warden.gateway.pipeline.StageRejection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body with a size limit. A declared {@code Content-Length} over the limit is refused
 * before a byte is read; a chunked body is refused as soon as it passes the limit, so an oversized
 * upload never sits in memory whole.
 */
public final class BodyReader {
  private BodyReader() {}

  public static Future<Buffer> read(HttpServerRequest req, long limit) {
    String cl = req.getHeader("Content-Length");
    long declared = -1;
    if (cl != null) {
      try {
        declared = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        return Future.failedFuture(new StageRejection(400, "bad_request", "Content-Length is not a number"));
      }
      if (declared > limit) {
        return Future.failedFuture(tooLarge(limit));
      }
    }
    if ("100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
      req.response().writeContinue(); // the size check passed: let the client send its body
    }
    Promise<Buffer> p = Promise.promise();
    Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 1024);
    boolean[] failed = {false};
    req.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        failed[0] = true;
        p.tryFail(tooLarge(limit));
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> p.tryComplete(body));
    req.exceptionHandler(p::tryFail);
    req.resume();
    return p.future();
  }

  private static StageRejection tooLarge(long limit) {
    return new StageRejection(413, "body_too_large", "request body exceeds the route's limit of " + limit + " bytes");
  }
}
