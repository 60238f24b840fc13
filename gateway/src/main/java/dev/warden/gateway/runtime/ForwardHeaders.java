package dev.warden.gateway.runtime;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) never do; the client's
 * {@code Authorization} never reaches a backend (tenant credentials are the gateway's business, and a
 * model server has no reason to see them); {@code Warden-*} headers from outside are dropped so a
 * client cannot forge what the gateway tells backends.
 */
final class ForwardHeaders {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
      "expect", "http2-settings");

  private ForwardHeaders() {}

  static MultiMap toBackend(MultiMap in, String requestId, String clientAddress, boolean tls) {
    MultiMap out = HttpHeaders.headers();
    for (Map.Entry<String, String> e : in) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(k) || k.equals("authorization") || k.startsWith("warden-")
          || k.equals("inference-header-content-length") || k.equals("x-request-id")) {
        continue;
      }
      out.add(e.getKey(), e.getValue());
    }
    out.set("X-Request-Id", requestId);
    String xff = in.get("X-Forwarded-For");
    out.set("X-Forwarded-For", xff == null ? clientAddress : xff + ", " + clientAddress);
    out.set("X-Forwarded-Proto", tls ? "https" : "http");
    return out;
  }

  static void toClient(MultiMap in, MultiMap out, boolean keepLength) {
    for (Map.Entry<String, String> e : in) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (HOP_BY_HOP.contains(k) && !(keepLength && k.equals("content-length"))) {
        continue;
      }
      if (k.equals("x-request-id")) {
        continue;
      }
      out.add(e.getKey(), e.getValue());
    }
  }
}
