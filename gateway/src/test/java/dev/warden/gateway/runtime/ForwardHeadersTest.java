package dev.warden.gateway.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardHeadersTest {

  private static MultiMap clientHeaders() {
    return HttpHeaders.headers()
        .add("Host", "gw.example")
        .add("CONNECTION", "keep-alive")
        .add("Transfer-Encoding", "chunked")
        .add("content-LENGTH", "42")
        .add("Authorization", "Bearer secret")
        .add("Warden-Tenant", "forged")
        .add("WARDEN-Compute", "forged")
        .add("X-Request-Id", "client-id")
        .add("Inference-Header-Content-Length", "10")
        .add("Content-Type", "application/json")
        .add("Accept", "application/json")
        .add("X-Custom", "a")
        .add("x-custom", "b");
  }

  @Test
  void toBackend_dropsHopByHopCredentialsAndWardenHeaders_inAnyCase() {
    MultiMap out = ForwardHeaders.toBackend(clientHeaders(), "rid-1", "10.0.0.1", false);
    for (String gone : new String[] {"host", "connection", "transfer-encoding", "content-length", "authorization",
        "warden-tenant", "warden-compute", "inference-header-content-length"}) {
      assertFalse(out.contains(gone), gone);
    }
    assertEquals("application/json", out.get("content-type"));
    assertEquals("application/json", out.get("Accept"));
    assertEquals(java.util.List.of("a", "b"), out.getAll("X-Custom"));
  }

  @Test
  void toBackend_setsTheGatewaysRequestIdAndForwardingHeaders() {
    MultiMap in = clientHeaders().add("X-Forwarded-For", "192.0.2.7");
    MultiMap out = ForwardHeaders.toBackend(in, "rid-1", "10.0.0.1", true);
    assertEquals(java.util.List.of("rid-1"), out.getAll("X-Request-Id"));
    assertEquals("192.0.2.7, 10.0.0.1", out.get("X-Forwarded-For"));
    assertEquals("https", out.get("X-Forwarded-Proto"));
    assertEquals("10.0.0.1", ForwardHeaders.toBackend(HttpHeaders.headers(), "r", "10.0.0.1", false)
        .get("X-Forwarded-For"));
  }

  @Test
  void toClient_dropsHopByHopAndTheBackendsRequestId_keepingLengthOnlyWhenAsked() {
    MultiMap backend = HttpHeaders.headers()
        .add("Connection", "close")
        .add("Content-Length", "42")
        .add("x-request-ID", "backend-id")
        .add("Content-Type", "application/json");
    MultiMap out = HttpHeaders.headers();
    ForwardHeaders.toClient(backend, out, false);
    assertNull(out.get("Content-Length"));
    assertNull(out.get("Connection"));
    assertNull(out.get("X-Request-Id"));
    assertEquals("application/json", out.get("Content-Type"));
    MultiMap kept = HttpHeaders.headers();
    ForwardHeaders.toClient(backend, kept, true);
    assertEquals("42", kept.get("Content-Length"));
    assertNull(kept.get("Connection"));
  }
}
