package dev.warden.gateway.upstream;

import dev.warden.gateway.pipeline.StageRejection;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** Classifies what went wrong talking to a backend, in one place, into a status and code. */
final class BackendFailure {
  private BackendFailure() {}

  /** True when the request certainly never reached the backend (safe to retry any method). */
  static boolean notSent(Throwable t) {
    Throwable c = t;
    while (c != null) {
      if (c instanceof ConnectException || c instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      String m = c.getMessage();
      if (m != null && (m.contains("Connection refused") || m.contains("connection timed out"))) {
        return true;
      }
      c = c.getCause();
    }
    return false;
  }

  static boolean timeout(Throwable t) {
    Throwable c = t;
    while (c != null) {
      if (c instanceof TimeoutException || c instanceof io.netty.handler.timeout.TimeoutException
          || c.getClass().getSimpleName().contains("Timeout")) {
        return true;
      }
      c = c.getCause();
    }
    return false;
  }

  static StageRejection toRejection(String backend, Throwable t) {
    if (timeout(t) && !notSent(t)) {
      return new StageRejection(504, "backend_timeout", "backend '" + backend + "' did not answer in time");
    }
    String why = t instanceof HttpClosedException ? "closed the connection"
        : notSent(t) ? "refused the connection" : t instanceof VertxException && t.getMessage() != null
            ? t.getMessage() : t.getClass().getSimpleName();
    return new StageRejection(502, "backend_unavailable", "backend '" + backend + "' is unavailable: " + why);
  }
}
