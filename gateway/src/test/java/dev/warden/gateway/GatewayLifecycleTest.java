package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.gateway.it.TestGateways;
import dev.warden.policies.PolicyException;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start, readiness, admin pages and shutdown of a real gateway. */
class GatewayLifecycleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: lifecycle}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          m: {url: "http://127.0.0.1:9", protocol: oip}
        routes:
          - {name: r, match: {protocol: oip, model: m}, tenants: [acme], allowUnsignedModel: true, backend: m}
      """;

  @TempDir Path dir;

  private Path policy() throws Exception {
    return TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY,
        Map.of("KEYS", TestGateways.keyHashes(dir, "k.sha256", TestGateways.newApiKey())));
  }

  @Test
  void invalidPolicyAtStart_failsTheStart_namingTheProblem() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    java.nio.file.Files.writeString(bad, "apiVersion: warden.dev/v1alpha1\nkind: GatewayPolicy\n");
    ExecutionException e = assertThrows(ExecutionException.class, () -> TestGateways.start(bad));
    assertTrue(e.getCause() instanceof PolicyException, e.toString());
    assertTrue(e.getCause().getMessage().contains("bad.yaml:"), e.getCause().getMessage());
  }

  @Test
  void adminListener_servesProbesMetricsAndPolicyPage() throws Exception {
    AtomicReference<String> notReady = new AtomicReference<>("warming up");
    try (Gateway g = TestGateways.start(policy(), b -> b.readinessCheck(notReady::get))) {
      String admin = TestGateways.adminUrl(g);
      assertEquals(200, TestGateways.get(admin + "/livez", null).statusCode());
      HttpResponse<String> nr = TestGateways.get(admin + "/readyz", null);
      assertEquals(503, nr.statusCode());
      assertTrue(nr.body().contains("warming up"), nr.body());
      assertEquals(503, TestGateways.get(TestGateways.url(g) + "/v2/health/ready", null).statusCode(),
          "the OIP health endpoint follows readiness");
      notReady.set(null);
      assertEquals(200, TestGateways.get(admin + "/readyz", null).statusCode());

      HttpResponse<String> metrics = TestGateways.get(admin + "/metrics", null);
      assertTrue(metrics.body().contains("warden_policy_reload_failures_total"), metrics.body());
      JsonNode page = JSON.readTree(TestGateways.get(admin + "/admin/policy", null).body());
      assertEquals("lifecycle", page.get("name").asText());
      assertEquals("r", page.at("/routes/0").asText());
      assertTrue(page.at("/lastReload/ok").asBoolean());
      JsonNode models = JSON.readTree(TestGateways.get(admin + "/admin/models", null).body());
      assertEquals("r", models.at("/unsignedRoutes/0/route").asText(), "allowUnsignedModel shows: " + models);
      assertEquals("m", models.at("/unsignedRoutes/0/model").asText());
      assertEquals(404, TestGateways.get(admin + "/admin/nothing", null).statusCode());
      assertEquals(405, TestGateways.HTTP.send(TestGateways.request(admin + "/livez", null)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void close_releasesBothPorts_evenOnASharedVertx() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Gateway g = TestGateways.start(policy(), b -> b.vertx(vertx));
      String data = TestGateways.url(g) + "/v2/models/m/infer";
      String admin = TestGateways.adminUrl(g) + "/livez";
      assertEquals(200, TestGateways.get(admin, null).statusCode());

      g.close();

      assertRefused(data);
      assertRefused(admin);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void close_releasesBothPorts_withItsOwnVertx() throws Exception {
    Gateway g = TestGateways.start(policy());
    String data = TestGateways.url(g) + "/v2/models/m/infer";
    String admin = TestGateways.adminUrl(g) + "/livez";

    g.close();

    assertRefused(data);
    assertRefused(admin);
  }

  private static void assertRefused(String url) {
    Exception e = assertThrows(Exception.class, () -> TestGateways.get(url, null));
    Throwable c = e;
    boolean refused = false;
    while (c != null) {
      refused |= c instanceof ConnectException;
      c = c.getCause();
    }
    assertTrue(refused, url + " still accepts connections after close: " + e);
  }
}
