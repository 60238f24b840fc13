package dev.warden.gateway.runtime;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which headers cross the gateway. Hop-by-hop headers (RFC 9110 §7.6.1) never do; the client's
 * {@code Authorization} never reaches a backend (tenant credentials are the gateway's business, and a
 * model server has no reason to see them); {@code Warden-*} headers from outside are dropped so a
 * client cannot forge what the gateway tells backends.
 *
 * <p>Runs twice per request, so names are matched case-insensitively in place (a case-insensitive
 * sorted set, {@code regionMatches}) rather than lower-cased into a new string per header.
 */
final class ForwardHeaders {
  private static final Set<String> HOP_BY_HOP = caseInsensitive("connection", "keep-alive",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length", "expect", "http2-settings");
  /** Never forwarded to a backend besides the hop-by-hop ones; the gateway sets its own request id. */
  private static final Set<String> NOT_TO_BACKEND = caseInsensitive("authorization",
      "inference-header-content-length", "x-request-id");

  private ForwardHeaders() {}

  private static Set<String> caseInsensitive(String... names) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(Set.of(names));
    return s;
  }

  static MultiMap toBackend(MultiMap in, String requestId, String clientAddress, boolean tls) {
    MultiMap out = HttpHeaders.headers();
    for (Map.Entry<String, String> e : in) {
      String k = e.getKey();
      if (HOP_BY_HOP.contains(k) || NOT_TO_BACKEND.contains(k) || k.regionMatches(true, 0, "warden-", 0, 7)) {
        continue;
      }
      out.add(k, e.getValue());
    }
    out.set("X-Request-Id", requestId);
    String xff = in.get("X-Forwarded-For");
    out.set("X-Forwarded-For", xff == null ? clientAddress : xff + ", " + clientAddress);
    out.set("X-Forwarded-Proto", tls ? "https" : "http");
    return out;
  }

  static void toClient(MultiMap in, MultiMap out, boolean keepLength) {
    for (Map.Entry<String, String> e : in) {
      String k = e.getKey();
      if (HOP_BY_HOP.contains(k) && !(keepLength && k.equalsIgnoreCase("content-length"))) {
        continue;
      }
      if (k.equalsIgnoreCase("x-request-id")) {
        continue;
      }
      out.add(k, e.getValue());
    }
  }
}
