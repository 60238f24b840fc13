package dev.warden.gateway.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static dev.warden.gateway.it.TestGateways.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.warden.gateway.Gateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backends that refuse, stall or die mid-stream, oversized bodies and unknown paths: clear errors, no hang. */
class FaultsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: faults}
      spec:
        limits: {maxBodyBytes: 65536, timeoutMs: 20000}
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          ok: {url: "http://127.0.0.1:@OK@", protocol: oip, timeoutMs: 10000}
          refused: {url: "http://127.0.0.1:@DEAD@", protocol: oip, retries: 1, circuitBreaker: {failureThreshold: 1000}}
          flaky: {url: "http://127.0.0.1:@DEAD@", protocol: oip, retries: 0, circuitBreaker: {failureThreshold: 3, openMs: 600000}}
          slow: {url: "http://127.0.0.1:@SLOW@", protocol: oip, timeoutMs: 400}
          dies: {url: "http://127.0.0.1:@DIES@", protocol: openai, timeoutMs: 10000}
        routes:
          - {name: ok, match: {protocol: oip, model: ok}, tenants: [acme], allowUnsignedModel: true, backend: ok,
             limits: {maxBodyBytes: 1024}}
          - {name: refused, match: {protocol: oip, model: refused}, tenants: [acme], allowUnsignedModel: true, backend: refused}
          - {name: flaky, match: {protocol: oip, model: flaky}, tenants: [acme], allowUnsignedModel: true, backend: flaky}
          - {name: slow, match: {protocol: oip, model: slow}, tenants: [acme], allowUnsignedModel: true, backend: slow}
          - {name: dies, match: {protocol: openai, model: "*"}, tenants: [acme], backend: dies}
      """;
  private static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

  @TempDir static Path dir;
  static WireMockServer ok;
  static WireMockServer slow;
  static ServerSocket dies;
  static Thread diesThread;
  static RefusingPort dead;
  static Gateway gateway;
  static String key;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    ok = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    ok.start();
    ok.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withBody("{\"outputs\":[]}")));
    slow = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    slow.start();
    slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withFixedDelay(5000).withBody("{}")));
    dies = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    diesThread = new Thread(FaultsTest::serveThenDie, "dies-mid-stream");
    diesThread.setDaemon(true);
    diesThread.start();
    dead = new RefusingPort(); // held until the end: nothing listens there, and no server can take it
    key = TestGateways.newApiKey();
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "KEYS", TestGateways.keyHashes(dir, "keys.sha256", key), "OK", ok.port(), "DEAD", dead.port(),
        "SLOW", slow.port(), "DIES", dies.getLocalPort()));
    gateway = TestGateways.start(policy);
    base = TestGateways.url(gateway);
  }

  /** An OpenAI-like backend that sends the SSE headers and one event, then drops the connection. */
  private static void serveThenDie() {
    while (!dies.isClosed()) {
      try (Socket s = dies.accept()) {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        StringBuilder head = new StringBuilder();
        while (!head.toString().contains("\r\n\r\n")) {
          int n = in.read(buf);
          if (n < 0) {
            break;
          }
          head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        String event = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(event.length()) + "\r\n" + event + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(200);
        s.setSoLinger(true, 0); // reset, mid-body
      } catch (Exception e) {
        // closed at the end of the test
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    ok.stop();
    slow.stop();
    dies.close();
    dead.close();
  }

  @Test
  void backendRefusingConnections_is502BackendUnavailable_withoutHanging() throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<String> r = infer("refused", BODY);
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertError(r, 502, "backend_unavailable");
    assertTrue(ms < 10_000, "a refused connection must fail fast, not wait for the 20 s route timeout: " + ms + " ms");
  }

  @Test
  void slowBackend_is504BackendTimeout() throws Exception {
    assertError(infer("slow", BODY), 504, "backend_timeout");
  }

  @Test
  void backendDyingMidStream_sendsAnInBandErrorEvent_andTheGatewayStaysHealthy() throws Exception {
    HttpResponse<String> r = HTTP.send(TestGateways.request(base + "/v1/chat/completions", key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"any\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, r.statusCode(), "headers were already sent when the backend died");
    String body = r.body();
    assertTrue(body.startsWith("data: {\"choices\""), body);
    int err = body.indexOf("event: error\ndata: ");
    assertTrue(err > 0, "the client is told in-band: " + body);
    JsonNode error = JSON.readTree(body.substring(err + "event: error\ndata: ".length()).strip());
    assertEquals("backend_stream_interrupted", error.get("code").asText());
    assertEquals(200, infer("ok", BODY).statusCode(), "the next request is served");
    assertEquals(200, TestGateways.get(TestGateways.adminUrl(gateway) + "/livez", null).statusCode());
  }

  @Test
  void circuitBreaker_opensAfterRepeatedFailures_andThenFailsFastNamingIt() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = infer("flaky", BODY);
      assertError(r, 502, "backend_unavailable");
      assertTrue(r.body().contains("refused"), r.body());
    }
    HttpResponse<String> open = infer("flaky", BODY);
    assertError(open, 502, "backend_unavailable");
    assertTrue(open.body().contains("circuit open"), open.body());
    assertEquals(200, infer("ok", BODY).statusCode(), "other backends are unaffected");
  }

  @Test
  void bodyOverTheRouteLimit_is413_declaredOrChunked() throws Exception {
    String big = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}],\"pad\":\""
        + "x".repeat(4000) + "\"}";
    assertError(infer("ok", big), 413, "body_too_large");
    HttpResponse<String> chunked = HTTP.send(TestGateways.request(base + "/v2/models/ok/infer", key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() ->
            new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertError(chunked, 413, "body_too_large");
    assertEquals(0, ok.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(anyUrl()))
        .stream().filter(q -> q.getBodyAsString().contains("pad")).count(), "an oversized body never reaches the backend");
  }

  @Test
  void unknownPath_is404Json_andUnknownModel_is404ModelNotFound() throws Exception {
    HttpResponse<String> r = TestGateways.get(base + "/no/such/thing", key);
    assertError(r, 404, "not_found");
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertError(infer("nobody-serves-this", BODY), 404, "model_not_found");
  }

  @Test
  void malformedOipBody_is422NamingTheField() throws Exception {
    HttpResponse<String> r = infer("ok", "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1]}]}");
    assertError(r, 422, "malformed_input");
    assertTrue(r.body().contains("inputs[0].data"), r.body());
  }

  private static HttpResponse<String> infer(String model, String body) throws Exception {
    return TestGateways.postJson(base + "/v2/models/" + model + "/infer", key, body);
  }

  private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(code, JSON.readTree(r.body()).path("code").asText(), r.body());
  }
}
