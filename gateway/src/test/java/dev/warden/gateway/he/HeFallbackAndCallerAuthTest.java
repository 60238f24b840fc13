package dev.warden.gateway.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.he.backend.CallerAuth;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.gateway.it.TestCerts;
import dev.warden.gateway.it.TestGateways;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real HE backends on loopback, each serving only callers with its own bearer token, and a third
 * behind mTLS: the policy's {@code fallback} hands requests to the second when the first is down, the
 * gateway presents each backend's token (or client certificate), and others are refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HeFallbackAndCallerAuthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // 30 s per backend call: no test here waits for a timeout, and the first call to a backend uploads the
  // tenant's evaluation keys and runs an encrypted inference (1.9 s on a loaded 2-core machine; 3 s was the
  // old limit, and a CI machine may be three times slower)
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: he-fallback}
      spec:
        tenants:
          - id: t1
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          he-a: {url: "http://127.0.0.1:@A@", protocol: warden-he, timeoutMs: 30000, tokenFile: "@TOKA@", fallback: he-b}
          he-b: {url: "http://127.0.0.1:@B@", protocol: warden-he, timeoutMs: 30000, tokenFile: "@TOKB@"}
          he-b-wrong-token: {url: "http://127.0.0.1:@B@", protocol: warden-he, timeoutMs: 30000, tokenFile: "@TOKA@"}
          he-slow: {url: "http://127.0.0.1:@S@", protocol: warden-he, timeoutMs: 1500, fallback: he-tls, circuitBreaker: {failureThreshold: 2, openMs: 600000}}
          he-tls:
            url: "https://127.0.0.1:@C@"
            protocol: warden-he
            timeoutMs: 30000
            tls: {caFile: "@CA@", clientCertFile: "@CCERT@", clientKeyFile: "@CKEY@"}
        models:
          - {name: digits, path: "@MODEL@", signature: "@SIG@", authority: {key: {publicKey: "@PUB@"}}}
          - {name: wrong, path: "@MODEL@", signature: "@SIG@", authority: {key: {publicKey: "@PUB@"}}}
          - {name: mtls, path: "@MODEL@", signature: "@SIG@", authority: {key: {publicKey: "@PUB@"}}}
          - {name: slow, path: "@MODEL@", signature: "@SIG@", authority: {key: {publicKey: "@PUB@"}}}
        routes:
          - {name: digits, match: {protocol: oip, model: digits}, tenants: [t1], backend: he-a}
          - {name: wrong, match: {protocol: oip, model: wrong}, tenants: [t1], backend: he-b-wrong-token}
          - {name: mtls, match: {protocol: oip, model: mtls}, tenants: [t1], backend: he-tls}
          - {name: slow, match: {protocol: oip, model: slow}, tenants: [t1], backend: he-slow}
        state: {store: embedded, dir: "@STATE@"}
        he:
          keyStore: {dir: "@KEYDIR@", kekFile: "@KEK@"}
          models:
            digits: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@"}
            wrong: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
            mtls: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
            slow: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
      """;

  @TempDir static Path dir;
  static Vertx vertx;
  static HeBackendServer a;
  static HeBackendServer b;
  static HeBackendServer c;
  /** An HE backend that takes the evaluation keys and then never answers an inference. */
  static io.vertx.core.http.HttpServer hanging;
  static final AtomicInteger infersAtHanging = new AtomicInteger();
  static final AtomicInteger bodiesAtA = new AtomicInteger();
  static final AtomicInteger bodiesAtB = new AtomicInteger();
  static Gateway gateway;
  static String apiKey;
  static String tokenB;
  static Dataset test;
  static TestCerts.Issued ca;

  @BeforeAll
  static void start() throws Exception {
    Dataset.Split split = Recipes.digitsSplit();
    test = split.test();
    Path model = dir.resolve("he-models/digits");
    Files.createDirectories(model);
    Files.write(model.resolve("model.onnx"), Recipes.digitsLogisticRegression(split.train())
        .toOnnx("input", "probabilities"));
    Path pub = dir.resolve("sign.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), dir.resolve("sign.pem"), pub);
    HeRouteTest.sign(model, dir.resolve("sign.pem"));
    Path tokA = dir.resolve("token-a");
    Path tokB = dir.resolve("token-b");
    CallerAuth.createTokenFile(tokA, new SecureRandom());
    CallerAuth.createTokenFile(tokB, new SecureRandom());
    tokenB = CallerAuth.readToken(tokB);
    ca = TestCerts.ca("he-test-ca");
    TestCerts.Issued server = TestCerts.leaf(ca, "he-backend", TestCerts.ip("127.0.0.1"));
    TestCerts.Issued client = TestCerts.leaf(ca, "gateway", TestCerts.uri("spiffe://test/gateway"));
    vertx = Vertx.vertx();
    Path models = dir.resolve("he-models");
    HeBackendServer.Options o = HeBackendServer.Options.defaults();
    a = HeBackendServer.start(vertx, "127.0.0.1", 0, models, pub, o, CallerAuth.token(CallerAuth.readToken(tokA)))
        .await();
    b = HeBackendServer.start(vertx, "127.0.0.1", 0, models, pub, o, CallerAuth.token(tokenB)).await();
    c = HeBackendServer.start(vertx, "127.0.0.1", 0, models, pub, o, CallerAuth.none().withTls(new CallerAuth.Tls(
        server.writeCert(dir.resolve("server.crt")), server.writeKey(dir.resolve("server.key")),
        Optional.of(ca.writeCert(dir.resolve("ca.crt")))))).await();
    hanging = vertx.createHttpServer().requestHandler(req -> {
      if (req.method() == io.vertx.core.http.HttpMethod.PUT) {
        req.body().onSuccess(ignored -> req.response().setStatusCode(204).end());
      } else {
        infersAtHanging.incrementAndGet(); // and no answer
      }
    }).listen(0, "127.0.0.1").await();
    a.tap(x -> bodiesAtA.incrementAndGet());
    b.tap(x -> bodiesAtB.incrementAndGet());
    apiKey = TestGateways.newApiKey();
    Path kek = dir.resolve("kek");
    HeKeyStore.createKekFile(kek, new SecureRandom());
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.ofEntries(
        Map.entry("KEYS", TestGateways.keyHashes(dir, "keys.sha256", apiKey)),
        Map.entry("A", a.actualPort()), Map.entry("B", b.actualPort()), Map.entry("C", c.actualPort()),
        Map.entry("S", hanging.actualPort()),
        Map.entry("TOKA", tokA), Map.entry("TOKB", tokB), Map.entry("CA", dir.resolve("ca.crt")),
        Map.entry("CCERT", client.writeCert(dir.resolve("client.crt"))),
        Map.entry("CKEY", client.writeKey(dir.resolve("client.key"))),
        Map.entry("STATE", dir.resolve("state")), Map.entry("MODEL", model), Map.entry("SIG", model.resolve("model.sig")),
        Map.entry("PUB", pub), Map.entry("KEYDIR", dir.resolve("he-keys")), Map.entry("KEK", kek)));
    gateway = TestGateways.start(policy);
    HeRouteTest.awaitReady(gateway);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (hanging != null) {
      hanging.close().await();
    }
    for (HeBackendServer s : new HeBackendServer[] {a, b, c}) {
      if (s != null) {
        s.close().await();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  static HttpResponse<String> infer(String model, int row) throws Exception {
    return TestGateways.HTTP.send(TestGateways.request(TestGateways.url(gateway) + "/v2/models/" + model + "/infer",
        apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(HeRouteTest.oip(test.x()[row]))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String code(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("code").asText();
  }

  @Test
  @Order(1)
  void backend_refusesCallersWithoutItsToken_with401Json_butTheGatewayPresentsIt() throws Exception {
    String base = "http://127.0.0.1:" + b.actualPort();
    HttpRequest.Builder keys = HttpRequest.newBuilder(URI.create(base + "/v1/keys/k-x?model=digits"))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[64]));
    for (String auth : new String[] {null, "Bearer " + tokenB.substring(1), "Bearer " + tokenB + "x", "Basic " + tokenB}) {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + "/v1/models"));
      if (auth != null) {
        req.header("Authorization", auth);
      }
      HttpResponse<String> r = TestGateways.HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, r.statusCode(), auth + ": " + r.body());
      assertEquals("unauthenticated", code(r));
      assertFalse(r.body().contains(tokenB), "the token is not echoed");
    }
    HttpResponse<String> noKeys = TestGateways.HTTP.send(keys.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, noKeys.statusCode(), "no key upload without the token");
    assertEquals(200, TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), "health stays open for probes");
    assertEquals(200, TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
        .header("Authorization", "Bearer " + tokenB).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

    // the gateway with another backend's token: refused by the backend, a 502 (not a fallback, not plaintext)
    HttpResponse<String> wrong = infer("wrong", 0);
    assertEquals(502, wrong.statusCode(), wrong.body());
    assertEquals("he_backend_error", code(wrong));
    assertTrue(wrong.body().contains("401"), wrong.body());
  }

  @Test
  @Order(2)
  void mtlsBackend_servesTheGatewaysClientCertificate_andRefusesAHandshakeWithoutOne() throws Exception {
    HttpResponse<String> r = infer("mtls", 2);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("he", r.headers().firstValue("Warden-Compute").orElse(null));
    HttpClient noCert = HttpClient.newBuilder().sslContext(TestCerts.clientContext(ca, null)).build();
    assertThrows(java.io.IOException.class, () -> noCert.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
        + c.actualPort() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  @Order(3)
  void hangingBackend_opensItsCircuitAfterTwoTimeouts_thenTheFallbackAnswersWithoutWaitingForIt() throws Exception {
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = infer("slow", i);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("he", r.headers().firstValue("Warden-Compute").orElse(null));
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (infersAtHanging.get() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(2, infersAtHanging.get(),
        "two inferences timed out at the hanging backend (failureThreshold 2); the next three went straight to the fallback");
  }

  @Test
  @Order(4)
  void firstBackendStopped_theFallbackHeBackendAnswers_andBothDownIsA503() throws Exception {
    HttpResponse<String> first = infer("digits", 3);
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("he", first.headers().firstValue("Warden-Compute").orElse(null));
    assertTrue(bodiesAtA.get() >= 2, "keys and a ciphertext went to the first backend");
    assertEquals(0, bodiesAtB.get(), "the fallback is not used while the first backend answers");
    JsonNode want = JSON.readTree(first.body()).get("outputs").get(0).get("data");

    a.close().await();
    a = null;
    HttpResponse<String> second = infer("digits", 3);
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("he", second.headers().firstValue("Warden-Compute").orElse(null));
    assertTrue(bodiesAtB.get() >= 2, "the tenant's evaluation keys, then the ciphertext, went to the fallback");
    JsonNode got = JSON.readTree(second.body()).get("outputs").get(0).get("data");
    assertEquals(HeRouteTest.argmax(want, 0, 10), HeRouteTest.argmax(got, 0, 10));

    b.close().await();
    b = null;
    HttpResponse<String> none = infer("digits", 4);
    assertEquals(503, none.statusCode(), none.body());
    assertEquals("he_backend_unavailable", code(none));
    assertFalse(none.body().contains("\"outputs\""));
  }
}
