package dev.warden.gateway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin listener (a separate port, so probes and scrapes never compete with, or are exposed
 * like, the data plane): {@code /livez}, {@code /readyz}, {@code /metrics} and JSON status pages
 * registered by path ({@code /admin/policy}, {@code /admin/models}).
 */
public final class AdminServer implements Handler<HttpServerRequest> {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Why the gateway is not ready, or null when it is. */
  private final Supplier<String> notReadyReason;
  private final Supplier<String> metrics;
  private final Map<String, Supplier<Object>> pages;

  public AdminServer(Supplier<String> notReadyReason, Supplier<String> metrics, Map<String, Supplier<Object>> pages) {
    this.notReadyReason = notReadyReason;
    this.metrics = metrics;
    this.pages = Map.copyOf(pages);
  }

  @Override
  public void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      json(req, 405, Map.of("error", "method not allowed", "code", "method_not_allowed"));
      return;
    }
    switch (req.path()) {
      case "/livez" -> json(req, 200, Map.of("status", "ok"));
      case "/readyz" -> {
        String why = notReadyReason.get();
        if (why == null) {
          json(req, 200, Map.of("status", "ready"));
        } else {
          json(req, 503, Map.of("status", "not ready", "reason", why));
        }
      }
      case "/metrics" -> req.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.get());
      default -> {
        Supplier<Object> page = pages.get(req.path());
        if (page == null) {
          json(req, 404, Map.of("error", "no admin page " + req.path(), "code", "not_found"));
        } else {
          json(req, 200, page.get());
        }
      }
    }
  }

  private static void json(HttpServerRequest req, int status, Object body) {
    try {
      req.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      req.response().setStatusCode(500).end();
    }
  }
}
