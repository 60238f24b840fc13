package dev.warden.gateway.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.warden.gateway.it.TestGateways.HTTP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.warden.gateway.Gateway;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each protocol end to end: a client on loopback, the real gateway, and WireMock imitating the model
 * server. Asserts what the backend received and what the client got back, byte for byte where the
 * protocol promises it.
 */
class ProtocolEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: protocols}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          oip: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 5000}
          tf: {url: "http://127.0.0.1:@PORT@", protocol: tf, timeoutMs: 5000}
          chat: {url: "http://127.0.0.1:@PORT@", protocol: openai, timeoutMs: 10000}
        routes:
          - name: oip
            match: {protocol: oip, model: m}
            tenants: [acme]
            allowUnsignedModel: true
            backend: oip
          - name: tf
            match: {protocol: tf, model: m}
            tenants: [acme]
            allowUnsignedModel: true
            backend: tf
          - name: chat
            match: {protocol: openai, model: chat-model}
            tenants: [acme]
            backend: chat
          - name: chat-stream
            match: {protocol: openai, model: stream-model}
            tenants: [acme]
            backend: chat
      """;

  @TempDir static Path dir;
  static WireMockServer backend;
  static Gateway gateway;
  static String key;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    backend = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    backend.start();
    key = TestGateways.newApiKey();
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "KEYS", TestGateways.keyHashes(dir, "keys.sha256", key), "PORT", backend.port()));
    gateway = TestGateways.start(policy);
    base = TestGateways.url(gateway);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.stop();
    }
  }

  @BeforeEach
  void reset() {
    backend.resetAll();
  }

  @Test
  void oipJson_reachesTheBackendUnchanged_andTheAnswerIsRelayed() throws Exception {
    String answer = "{\"model_name\":\"m\",\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[1,2],"
        + "\"data\":[0.25,0.75]}]}";
    backend.stubFor(post(urlEqualTo("/v2/models/m/infer")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody(answer)));
    String request = "{\"id\":\"r1\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],"
        + "\"data\":[1.5,2,3]}]}";

    HttpResponse<String> r = TestGateways.postJson(base + "/v2/models/m/infer", key, request);

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(answer, r.body());
    LoggedRequest seen = only("/v2/models/m/infer");
    assertEquals(request, seen.getBodyAsString());
    assertNull(seen.getHeader("Authorization"), "tenant credentials must not reach the backend");
    assertTrue(seen.getHeader("X-Request-Id") != null && !seen.getHeader("X-Request-Id").isEmpty());
  }

  @Test
  void oipBinary_roundTripsByteExact_withHeaderLengths() throws Exception {
    byte[] reqHeader = ("{\"id\":\"bin\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,4],"
        + "\"parameters\":{\"binary_data_size\":16}}],\"outputs\":[{\"name\":\"y\","
        + "\"parameters\":{\"binary_data_output\":true}}]}").getBytes(StandardCharsets.UTF_8);
    byte[] reqBody = concat(reqHeader, floats(1.0f, -2.5f, 3.25f, Float.NaN));
    byte[] respHeader = ("{\"model_name\":\"m\",\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\","
        + "\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}}]}").getBytes(StandardCharsets.UTF_8);
    byte[] respBody = concat(respHeader, floats(0.1f, 0.2f, 0.7f));
    backend.stubFor(post(urlEqualTo("/v2/models/m/infer")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/octet-stream")
        .withHeader("Inference-Header-Content-Length", Integer.toString(respHeader.length))
        .withBody(respBody)));

    HttpResponse<byte[]> r = HTTP.send(TestGateways.request(base + "/v2/models/m/infer", key)
        .header("Content-Type", "application/octet-stream")
        .header("Inference-Header-Content-Length", Integer.toString(reqHeader.length))
        .POST(HttpRequest.BodyPublishers.ofByteArray(reqBody)).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, r.statusCode(), () -> TestGateways.utf8(r.body()));
    assertArrayEquals(respBody, r.body(), "the binary response must be relayed unchanged");
    assertEquals(String.valueOf(respHeader.length), r.headers().firstValue("Inference-Header-Content-Length").orElse(null));
    LoggedRequest seen = only("/v2/models/m/infer");
    assertArrayEquals(reqBody, seen.getBody(), "the binary request must reach the backend unchanged");
    assertEquals(String.valueOf(reqHeader.length), seen.getHeader("Inference-Header-Content-Length"));
    assertEquals(String.valueOf(reqBody.length), seen.getHeader("Content-Length"));
  }

  @Test
  void tfPredict_instancesAndInputsForms_areForwarded() throws Exception {
    backend.stubFor(post(urlEqualTo("/v1/models/m:predict")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"predictions\":[[0.9,0.1],[0.2,0.8]]}")));
    String rows = "{\"signature_name\":\"serving_default\",\"instances\":[[1,2,3],[4,5,6]]}";
    String cols = "{\"inputs\":{\"a\":[[1,2],[3,4]],\"b\":[\"x\",\"y\"]}}";

    HttpResponse<String> r1 = TestGateways.postJson(base + "/v1/models/m:predict", key, rows);
    HttpResponse<String> r2 = TestGateways.postJson(base + "/v1/models/m:predict", key, cols);

    assertEquals(200, r1.statusCode(), r1.body());
    assertEquals(200, r2.statusCode(), r2.body());
    assertEquals(0.8, JSON.readTree(r1.body()).at("/predictions/1/1").asDouble());
    List<LoggedRequest> seen = backend.findAll(postRequestedFor(urlEqualTo("/v1/models/m:predict")));
    assertEquals(List.of(rows, cols), seen.stream().map(LoggedRequest::getBodyAsString).toList());
  }

  @Test
  void tfPredict_raggedInstances_are422NamingTheField() throws Exception {
    HttpResponse<String> r = TestGateways.postJson(base + "/v1/models/m:predict", key,
        "{\"instances\":[[1,2,3],[4,5]]}");

    assertEquals(422, r.statusCode());
    JsonNode err = JSON.readTree(r.body());
    assertEquals("malformed_input", err.get("code").asText());
    assertTrue(err.get("error").asText().startsWith("instances"), err.toString());
    assertEquals(0, backend.getAllServeEvents().size(), "a malformed body must not reach the backend");
  }

  @Test
  void openAiNonStream_isRelayed_andItsUsageCounted() throws Exception {
    String completion = "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"chat-model\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3,\"total_tokens\":14}}";
    backend.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("chat-model"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(completion)));
    double promptBefore = TestGateways.metric(gateway, "warden_tokens_total", "kind=\"prompt\",route=\"chat\"");
    double complBefore = TestGateways.metric(gateway, "warden_tokens_total", "kind=\"completion\",route=\"chat\"");
    String request = "{\"model\":\"chat-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    HttpResponse<String> r = TestGateways.postJson(base + "/v1/chat/completions", key, request);

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(completion, r.body());
    assertEquals(request, only("/v1/chat/completions").getBodyAsString());
    assertEquals(promptBefore + 11,
        TestGateways.awaitMetric(gateway, "warden_tokens_total", "kind=\"prompt\",route=\"chat\"", promptBefore + 11));
    assertEquals(complBefore + 3,
        TestGateways.awaitMetric(gateway, "warden_tokens_total", "kind=\"completion\",route=\"chat\"", complBefore + 3));
  }

  @Test
  void openAiStream_eventsArriveIncrementally_endingWithDone() throws Exception {
    List<String> events = new ArrayList<>();
    for (String word : new String[] {"Once", " upon", " a", " time", " there", " was"}) {
      events.add("{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"stream-model\",\"choices\":"
          + "[{\"index\":0,\"delta\":{\"content\":\"" + word + "\"},\"finish_reason\":null}]}");
    }
    events.add("{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"model\":\"stream-model\",\"choices\":[],"
        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6,\"total_tokens\":11}}");
    StringBuilder sse = new StringBuilder();
    events.forEach(e -> sse.append("data: ").append(e).append("\n\n"));
    sse.append("data: [DONE]\n\n");
    backend.stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing("stream-model"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
            .withBody(sse.toString()).withChunkedDribbleDelay(16, 3200)));
    // dribbled over 3.2 s, judged at a 0.6 s spread: a relaying gateway passes even when the client or the
    // gateway stalls 2.6 s (a loaded CI machine; with 1.6 s a 1 s stall failed it), a buffering one never does
    double before = TestGateways.metric(gateway, "warden_tokens_total", "route=\"chat-stream\"");

    long t0 = System.nanoTime();
    HttpResponse<InputStream> r = HTTP.send(TestGateways.request(base + "/v1/chat/completions", key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stream-model\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}]}")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    List<String> data = new ArrayList<>();
    List<Long> arrivalMs = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data: ")) {
          data.add(line.substring(6));
          arrivalMs.add((System.nanoTime() - t0) / 1_000_000);
        }
      }
    }

    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    List<String> expected = new ArrayList<>(events);
    expected.add("[DONE]");
    assertEquals(expected, data, "every event relayed, in order, [DONE] last");
    long spread = arrivalMs.get(arrivalMs.size() - 1) - arrivalMs.get(0);
    assertTrue(spread >= 600, "the first event must arrive well before the last (chunks relayed as they come), "
        + "arrivals ms: " + arrivalMs);
    assertEquals(before + 11, TestGateways.awaitMetric(gateway, "warden_tokens_total", "route=\"chat-stream\"", before + 11),
        "usage is read from the stream");
  }

  @Test
  void oipMetadataReadyAndHealth_andTfStatus_arePassedThrough() throws Exception {
    backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v2/models/m"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"name\":\"m\",\"platform\":\"onnx\"}")));
    backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v2/models/m/versions/2/ready"))
        .willReturn(aResponse().withStatus(200)));
    backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v2/health/ready"))
        .willReturn(aResponse().withStatus(200).withBody("{\"ready\":true}")));
    backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v1/models/m"))
        .willReturn(aResponse().withStatus(200).withBody("{\"model_version_status\":[]}")));

    HttpResponse<String> meta = TestGateways.get(base + "/v2/models/m", key);
    assertEquals(200, meta.statusCode(), meta.body());
    assertEquals("onnx", JSON.readTree(meta.body()).get("platform").asText());
    assertEquals(200, TestGateways.get(base + "/v2/models/m/versions/2/ready", key).statusCode());
    assertEquals(401, TestGateways.get(base + "/v2/models/m", null).statusCode(), "metadata needs a tenant");
    HttpResponse<String> health = TestGateways.get(base + "/v2/health/ready", null);
    assertEquals(200, health.statusCode(), health.body());
    assertEquals("{\"ready\":true}", health.body());
    assertEquals(200, TestGateways.get(base + "/v1/models/m", key).statusCode());
  }

  @Test
  void serverHealth_isTheGatewaysOwnView_readyOnlyWhileAnOipBackendIsReady() throws Exception {
    HttpResponse<String> live = TestGateways.get(base + "/v2/health/live", null);
    assertEquals(200, live.statusCode(), live.body());
    assertEquals("{\"live\":true}", live.body());
    backend.verify(0, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
        urlEqualTo("/v2/health/live")));

    backend.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo("/v2/health/ready"))
        .willReturn(aResponse().withStatus(503).withBody("{\"ready\":false}")));
    HttpResponse<String> notReady = TestGateways.get(base + "/v2/health/ready", null);
    assertEquals(503, notReady.statusCode(), notReady.body());
    assertEquals("not_ready", JSON.readTree(notReady.body()).get("code").asText());
    assertEquals(200, TestGateways.get(base + "/v2/health/live", null).statusCode(),
        "a gateway whose backends are down is still live");
  }

  @Test
  void clientRequestId_isPassedToTheBackend_andEchoed() throws Exception {
    backend.stubFor(post(urlEqualTo("/v2/models/m/infer")).willReturn(aResponse().withStatus(200).withBody("{}")));

    HttpResponse<String> r = HTTP.send(TestGateways.request(base + "/v2/models/m/infer", key)
        .header("X-Request-Id", "trace-abc.123")
        .header("Warden-Tenant", "forged")
        .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"BOOL\","
            + "\"shape\":[1],\"data\":[true]}]}")).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("trace-abc.123", r.headers().firstValue("X-Request-Id").orElse(null));
    LoggedRequest seen = only("/v2/models/m/infer");
    assertEquals("trace-abc.123", seen.getHeader("X-Request-Id"));
    assertNull(seen.getHeader("Warden-Tenant"), "clients cannot forge Warden-* headers towards backends");
  }

  @Test
  void openAiClientHangingUpMidStream_leavesTheGatewayHealthy() throws Exception {
    StringBuilder sse = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sse.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"w").append(i).append("\"}}]}\n\n");
    }
    sse.append("data: [DONE]\n\n");
    backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/event-stream").withBody(sse.toString()).withChunkedDribbleDelay(40, 4000)));
    double before = TestGateways.metric(gateway, "warden_requests_total", "route=\"chat-stream\",status=\"499\"");

    HttpResponse<InputStream> r = HTTP.send(TestGateways.request(base + "/v1/chat/completions", key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stream-model\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    byte[] first = new byte[16];
    assertTrue(r.body().read(first) > 0);
    r.body().close(); // hang up

    long deadline = System.nanoTime() + 15_000_000_000L;
    while (TestGateways.metric(gateway, "warden_requests_total", "route=\"chat-stream\",status=\"499\"") <= before
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(before + 1, TestGateways.metric(gateway, "warden_requests_total", "route=\"chat-stream\",status=\"499\""),
        "the abandoned stream is counted as 499");
    backend.stubFor(post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"choices\":[]}")));
    assertEquals(200, TestGateways.postJson(base + "/v1/chat/completions", key,
        "{\"model\":\"stream-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode());
  }

  @Test
  void expect100Continue_isAnswered_soTheClientSendsItsBody() throws Exception {
    backend.stubFor(post(urlEqualTo("/v2/models/m/infer")).willReturn(aResponse().withStatus(200).withBody("{}")));
    String request = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

    long t0 = System.nanoTime();
    HttpResponse<String> r = HTTP.send(TestGateways.request(base + "/v2/models/m/infer", key)
        .expectContinue(true).timeout(java.time.Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(request)).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(request, only("/v2/models/m/infer").getBodyAsString());
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "the gateway must answer 100 Continue, not make the client wait");
  }

  private static LoggedRequest only(String url) {
    List<LoggedRequest> seen = backend.findAll(postRequestedFor(urlEqualTo(url)));
    assertEquals(1, seen.size(), "backend requests to " + url);
    return seen.get(0);
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
