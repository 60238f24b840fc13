package dev.warden.gateway.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.warden.gateway.privacy.DigitsBackend.JSON;
import static dev.warden.gateway.privacy.DigitsBackend.notAProbabilityVector;
import static dev.warden.gateway.privacy.DigitsBackend.oipProbabilities;
import static dev.warden.gateway.privacy.DigitsBackend.oipRequest;
import static dev.warden.gateway.privacy.DigitsBackend.testRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy stage through a real gateway ({@code StandardCapabilities}) in front of the real demo digits
 * model: noisy outputs, budget headers, the 429 exactly at the cap computed with the crypto library,
 * free repeats, refunds of failed calls, OIP binary and TF rewriting, per-row batch cost. Each test uses
 * its own tenant so budgets do not interfere.
 */
class PrivacyGatewayTest {
  static final double EPSILON = 1.0;
  static final double DELTA = 1e-6;
  static final double RHO = 0.002;
  static final String[] TENANTS = {"countdown", "cap", "repeat", "refund", "binary", "tf", "batch", "reqid", "unprotected", "stream",
      "silent"};

  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: privacy-it}
      spec:
        tenants:
      @TENANTS@
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
          digits-tf: {url: "http://127.0.0.1:@PORT@", protocol: tf, timeoutMs: 10000}
          flaky: {url: "http://127.0.0.1:@WIREMOCK@", protocol: oip, timeoutMs: 5000}
        routes:
          - name: private
            match: {protocol: oip, model: digits}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: @DP@
            backend: digits
          - name: private-tf
            match: {protocol: tf, model: digits}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: @DP@
            backend: digits-tf
          - name: flaky
            match: {protocol: oip, model: flaky}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: @DP@
            backend: flaky
          - name: multi
            match: {protocol: oip, model: multi}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: @DP@
            backend: flaky
          - name: listed
            match: {protocol: oip, model: listed}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: @LISTED@
            backend: flaky
          - name: silent-dp
            match: {protocol: oip, model: silentdp}
            tenants: ["*"]
            allowUnsignedModel: true
            screening: [{type: query-attack-store, action: silent, timeoutMs: 5000}]
            privacy: @DP@
            backend: digits
        state: {store: embedded, dir: "@STATE@"}
      """;

  static final String DP = "{mechanism: gaussian, outputKind: probabilities, dimension: 10, rhoPerQuery: " + RHO
      + ", budget: {epsilon: " + EPSILON + ", delta: " + DELTA + ", globalEpsilon: 1000}}";

  @TempDir static Path dir;
  static DigitsBackend backend;
  static WireMockServer wiremock;
  static Gateway gateway;
  static String base;
  static final Map<String, String> KEYS = new HashMap<>();
  static PrivacyBudget budget;
  static PrivacyCost cost;

  @BeforeAll
  static void start() throws Exception {
    backend = DigitsBackend.start(dir, "digits", "silentdp");
    wiremock = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    wiremock.start();
    StringBuilder tenants = new StringBuilder();
    for (String t : TENANTS) {
      String k = TestGateways.newApiKey();
      KEYS.put(t, k);
      tenants.append("    - {id: ").append(t).append(", apiKeys: {sha256File: \"")
          .append(TestGateways.keyHashes(dir, t + ".sha256", k)).append("\"}}\n");
    }
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "TENANTS", tenants.toString().stripTrailing(), "PORT", backend.port(), "WIREMOCK", wiremock.port(),
        "DP", DP, "LISTED", DP.replace("{mechanism", "{outputs: [probabilities], mechanism"), "STATE", dir.resolve("state").toAbsolutePath()));
    gateway = TestGateways.start(policy);
    base = TestGateways.url(gateway);
    budget = PrivacyBudget.ofEpsilonDelta(EPSILON, DELTA);
    cost = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, RHO)).cost();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (wiremock != null) {
      wiremock.stop();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static HttpResponse<String> infer(String tenant, String model, String body) throws Exception {
    return TestGateways.postJson(base + "/v2/models/" + model + "/infer", KEYS.get(tenant), body);
  }

  static String spentAfter(long releases) {
    return String.format(Locale.ROOT, "%.6f", budget.epsilonSpent(releases * cost.micros()));
  }

  static double header(HttpResponse<?> r, String name) {
    return Double.parseDouble(r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name)));
  }

  @Test
  void outputsAreNoisyValidProbabilities_andHeadersCountDown() throws Exception {
    double lastSpent = 0;
    double lastRemaining = EPSILON;
    double largestChange = 0;
    for (int i = 0; i < 5; i++) {
      String req = oipRequest(testRow(i));
      double[] clean = oipProbabilities(TestGateways.postJson(backend.url() + "/v2/models/digits/infer", null, req)
          .body())[0];

      HttpResponse<String> r = infer("countdown", "digits", req);

      assertEquals(200, r.statusCode(), r.body());
      double[] noisy = oipProbabilities(r.body())[0];
      assertNull(notAProbabilityVector(noisy));
      assertFalse(Arrays.equals(clean, noisy), "the released vector must not be the model's own");
      for (int c = 0; c < 10; c++) {
        largestChange = Math.max(largestChange, Math.abs(clean[c] - noisy[c]));
      }
      assertEquals(spentAfter(i + 1), r.headers().firstValue(PrivacyStage.SPENT).orElse(null));
      assertEquals("dp", r.headers().firstValue("Warden-Privacy-Mechanism").orElse(null));
      double spent = header(r, PrivacyStage.SPENT);
      double remaining = header(r, PrivacyStage.REMAINING);
      assertTrue(spent > lastSpent, "spent must grow: " + spent + " after " + lastSpent);
      assertTrue(remaining < lastRemaining, "remaining must shrink: " + remaining + " after " + lastRemaining);
      lastSpent = spent;
      lastRemaining = remaining;
    }
    assertTrue(largestChange > 0.05, "noise at sigma ~22 must move some probability visibly: " + largestChange);
  }

  @Test
  void the429ArrivesExactlyAtTheCap_andAnsweredInputsStayFree() throws Exception {
    long expected = budget.releasesRemaining(0, cost);
    assertTrue(expected >= 2 && expected < 100, "test set-up: " + expected + " releases for " + cost + " in " + budget);
    int answered = 0;
    HttpResponse<String> refused = null;
    List<String> firstAnswer = new ArrayList<>();
    for (int i = 0; i < expected + 5 && refused == null; i++) {
      HttpResponse<String> r = infer("cap", "digits", oipRequest(testRow(100 + i)));
      if (r.statusCode() == 200) {
        answered++;
        if (firstAnswer.isEmpty()) {
          firstAnswer.add(r.body());
        }
      } else {
        refused = r;
      }
    }
    assertEquals(expected, answered, "answers before the 429");
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("privacy_budget_exhausted", JSON.readTree(refused.body()).get("code").asText());
    // what is left is less than one release: reported as the eps of the remaining rho, not rounded to 0
    assertEquals(String.format(Locale.ROOT, "%.6f", budget.epsilonRemaining(expected * cost.micros())),
        refused.headers().firstValue(PrivacyStage.REMAINING).orElse(null));
    assertEquals(0, budget.releasesRemaining(expected * cost.micros(), cost));
    assertEquals(spentAfter(expected), refused.headers().firstValue(PrivacyStage.SPENT).orElse(null));

    HttpResponse<String> again = infer("cap", "digits", oipRequest(testRow(200)));
    assertEquals(429, again.statusCode(), "still exhausted");
    HttpResponse<String> repeat = infer("cap", "digits", oipRequest(testRow(100)));
    assertEquals(200, repeat.statusCode(), "an answered input is replayed for free even at the cap: " + repeat.body());
    assertEquals(firstAnswer.get(0), repeat.body());
  }

  @Test
  void aRepeatedInputGetsTheSameAnswer_andCostsNothing() throws Exception {
    String q1 = oipRequest(testRow(10));
    HttpResponse<String> a = infer("repeat", "digits", q1);
    HttpResponse<String> b = infer("repeat", "digits", q1);
    HttpResponse<String> c = infer("repeat", "digits", oipRequest(testRow(11)));

    assertEquals(200, a.statusCode(), a.body());
    assertEquals(200, b.statusCode(), b.body());
    assertEquals(a.body(), b.body(), "the same input must get the same noisy answer (no averaging the noise away)");
    assertEquals(200, c.statusCode(), c.body());
    assertEquals(spentAfter(1), a.headers().firstValue(PrivacyStage.SPENT).orElse(null));
    assertEquals(spentAfter(2), c.headers().firstValue(PrivacyStage.SPENT).orElse(null),
        "the repeat must not have been charged");
  }

  @Test
  void aFailedBackendCallIsRefunded() throws Exception {
    wiremock.resetAll();
    wiremock.stubFor(post(urlEqualTo("/v2/models/flaky/infer")).willReturn(aResponse().withStatus(500)
        .withHeader("Content-Type", "application/json").withBody("{\"error\":\"boom\"}")));
    HttpResponse<String> failed = infer("refund", "flaky", oipRequest(testRow(20)));
    assertTrue(failed.statusCode() >= 500, "backend failure must not be a success: " + failed.statusCode());
    assertTrue(failed.headers().firstValue(PrivacyStage.SPENT).isEmpty(), "nothing was released");

    String answer = "{\"model_name\":\"flaky\",\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\","
        + "\"shape\":[1,10],\"data\":[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]}]}";
    wiremock.resetAll();
    wiremock.stubFor(post(urlEqualTo("/v2/models/flaky/infer")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody(answer)));
    // the refund runs off the request path once the failed exchange finishes; give it a moment. Each attempt
    // is a successful release: once refunded, the spend is exactly the attempts so far (without the refund it
    // stays one release more). Expecting one release only held when the refund beat the first attempt.
    HttpResponse<String> ok = null;
    int released = 0;
    for (int attempt = 0; attempt < 8; attempt++) { // the tenant's budget holds about 8 releases: wait longer
      Thread.sleep(100L << Math.min(attempt, 5)); // 0.1 s doubling to 3.2 s: 12.7 s in all
      ok = infer("refund", "flaky", oipRequest(testRow(21 + attempt)));
      assertEquals(200, ok.statusCode(), ok.body());
      released = attempt + 1;
      if (ok.headers().firstValue(PrivacyStage.SPENT).orElse("").equals(spentAfter(released))) {
        break;
      }
    }
    assertEquals(spentAfter(released), ok.headers().firstValue(PrivacyStage.SPENT).orElse(null),
        "after the refund only the successful releases are charged");
    assertNull(notAProbabilityVector(oipProbabilities(ok.body())[0]));
    assertNotEquals(answer, ok.body());
  }

  @Test
  void oipBinaryOutputIsRewritten_withLengthsFixed() throws Exception {
    float[] x = testRow(30);
    byte[] head = ("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],"
        + "\"parameters\":{\"binary_data_size\":256}}],\"outputs\":[{\"name\":\"probabilities\","
        + "\"parameters\":{\"binary_data\":true}}]}").getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(head.length + 256).order(ByteOrder.LITTLE_ENDIAN);
    body.put(head);
    for (float v : x) {
      body.putFloat(v);
    }
    HttpResponse<byte[]> clean = binary(backend.url() + "/v2/models/digits/infer", null, head.length, body.array());
    HttpResponse<byte[]> r = binary(base + "/v2/models/digits/infer", KEYS.get("binary"), head.length, body.array());

    assertEquals(200, clean.statusCode(), () -> new String(clean.body(), StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    float[] before = binaryProbabilities(clean);
    float[] after = binaryProbabilities(r);
    double[] d = new double[after.length];
    for (int i = 0; i < after.length; i++) {
      d[i] = after[i];
    }
    assertNull(notAProbabilityVector(d));
    assertFalse(Arrays.equals(before, after), "the binary output must carry the noisy values");
    assertEquals(spentAfter(1), r.headers().firstValue(PrivacyStage.SPENT).orElse(null));
  }

  /** Parses a binary OIP answer, checking its header length, binary_data_size and total length agree. */
  private static float[] binaryProbabilities(HttpResponse<byte[]> r) throws Exception {
    int hl = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow(
        () -> new AssertionError("binary answer without Inference-Header-Content-Length")));
    JsonNode h = JSON.readTree(new String(r.body(), 0, hl, StandardCharsets.UTF_8));
    JsonNode out = h.get("outputs").get(0);
    assertEquals("probabilities", out.get("name").asText());
    assertFalse(out.has("data"), "binary output must not also be inlined: " + h);
    int size = out.get("parameters").get("binary_data_size").asInt();
    assertEquals(40, size, "10 FP32 values");
    assertEquals(hl + size, r.body().length, "header + binary section must be the whole body");
    ByteBuffer b = ByteBuffer.wrap(r.body(), hl, size).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[10];
    for (int i = 0; i < 10; i++) {
      v[i] = b.getFloat();
    }
    return v;
  }

  private static HttpResponse<byte[]> binary(String url, String key, int headerLength, byte[] body) throws Exception {
    return TestGateways.HTTP.send(TestGateways.request(url, key)
        .header("Content-Type", "application/octet-stream")
        .header("Inference-Header-Content-Length", Integer.toString(headerLength))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void tfPredictionsAreRewritten() throws Exception {
    String req = DigitsBackend.tfRequest(testRow(40), testRow(41));
    double[][] clean = DigitsBackend.tfPredictions(
        TestGateways.postJson(backend.url() + "/v1/models/digits:predict", null, req).body());

    HttpResponse<String> r = TestGateways.postJson(base + "/v1/models/digits:predict", KEYS.get("tf"), req);

    assertEquals(200, r.statusCode(), r.body());
    double[][] noisy = DigitsBackend.tfPredictions(r.body());
    assertEquals(2, noisy.length);
    for (int i = 0; i < 2; i++) {
      assertEquals(10, noisy[i].length);
      assertNull(notAProbabilityVector(noisy[i]));
      assertFalse(Arrays.equals(clean[i], noisy[i]), "row " + i + " must be noisy");
    }
    assertEquals(spentAfter(2), r.headers().firstValue(PrivacyStage.SPENT).orElse(null), "two rows, two releases");
  }

  @Test
  void aClientChosenRequestIdDoesNotMakeNewInputsFree() throws Exception {
    // X-Request-Id is accepted from clients for tracing; it must not be the ledger's idempotency key, or
    // reusing one id would release fresh noisy answers for different inputs without charge
    HttpResponse<String> a = TestGateways.HTTP.send(TestGateways.request(base + "/v2/models/digits/infer",
        KEYS.get("reqid")).header("Content-Type", "application/json").header("X-Request-Id", "same-id-1")
        .POST(HttpRequest.BodyPublishers.ofString(oipRequest(testRow(60)))).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> b = TestGateways.HTTP.send(TestGateways.request(base + "/v2/models/digits/infer",
        KEYS.get("reqid")).header("Content-Type", "application/json").header("X-Request-Id", "same-id-1")
        .POST(HttpRequest.BodyPublishers.ofString(oipRequest(testRow(61)))).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, a.statusCode(), a.body());
    assertEquals(200, b.statusCode(), b.body());
    assertEquals(spentAfter(1), a.headers().firstValue(PrivacyStage.SPENT).orElse(null));
    assertEquals(spentAfter(2), b.headers().firstValue(PrivacyStage.SPENT).orElse(null),
        "a second, different input under a reused request id must be charged");
  }

  @Test
  void outputsTheMechanismDoesNotCover_areNeverReleased_andRefunded() throws Exception {
    String probs = "{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,10],"
        + "\"data\":[0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1]}";
    stub("multi", "{\"outputs\":[" + probs + ",{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],"
        + "\"data\":[\"seven\"]}]}");
    stub("listed", "{\"outputs\":[" + probs + ",{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[1,2],"
        + "\"data\":[3.5,-1.25]}]}");

    HttpResponse<String> label = infer("unprotected", "multi", oipRequest(testRow(70)));
    HttpResponse<String> logits = infer("unprotected", "listed", oipRequest(testRow(71)));

    assertEquals(502, label.statusCode(), label.body());
    assertEquals("privacy_output_unprotected", JSON.readTree(label.body()).get("code").asText());
    assertFalse(label.body().contains("seven"), "the clean label must not leak");
    assertEquals(502, logits.statusCode(), logits.body());
    assertFalse(logits.body().contains("3.5"), "the clean logits must not leak");

    // a model output of the wrong width is refused (not a hung request), and refunded like the others
    stub("multi", "{\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,3],"
        + "\"data\":[0.2,0.3,0.5]}]}");
    HttpResponse<String> narrow = infer("unprotected", "multi", oipRequest(testRow(72)));
    assertEquals(502, narrow.statusCode(), narrow.body());
    assertEquals("privacy_output_mismatch", JSON.readTree(narrow.body()).get("code").asText());

    stub("multi", "{\"outputs\":[" + probs + "]}");
    // as in aFailedBackendCallIsRefunded: once the refunds ran, the spend is exactly the successful attempts
    HttpResponse<String> ok = null;
    int released = 0;
    for (int attempt = 0; attempt < 8; attempt++) {
      Thread.sleep(100L << Math.min(attempt, 5));
      ok = infer("unprotected", "multi", oipRequest(testRow(73 + attempt)));
      assertEquals(200, ok.statusCode(), ok.body());
      released = attempt + 1;
      if (ok.headers().firstValue(PrivacyStage.SPENT).orElse("").equals(spentAfter(released))) {
        break;
      }
    }
    assertEquals(spentAfter(released), ok.headers().firstValue(PrivacyStage.SPENT).orElse(null),
        "the three refused answers are refunded");
  }

  @Test
  void anEventStreamAnswerOnAPrivateRoute_isNeverRelayedRaw() throws Exception {
    String raw = "data: {\"outputs\":[{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[1,10],"
        + "\"data\":[0.9123,0,0,0,0,0,0,0,0,0.0877]}]}\n\n";
    wiremock.stubFor(post(urlEqualTo("/v2/models/multi/infer")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/event-stream").withBody(raw)));

    HttpResponse<String> r = infer("stream", "multi", oipRequest(testRow(90)));

    assertEquals(502, r.statusCode(), r.body());
    assertFalse(r.body().contains("0.9123"), "the model's un-noised output must not leak: " + r.body());
  }

  @Test
  void aSilentReplayOnAPrivateRoute_replaysTheNoisyAnswer_neverTheModelsOwn() throws Exception {
    String b = oipRequest(testRow(95));
    double[] clean = oipProbabilities(TestGateways.postJson(backend.url() + "/v2/models/silentdp/infer", null, b)
        .body())[0];
    HttpResponse<String> first = infer("silent", "silentdp", oipRequest(testRow(94)));
    HttpResponse<String> other = infer("silent", "silentdp", b);
    HttpResponse<String> repeat = infer("silent", "silentdp", oipRequest(testRow(94))); // flagged: silent replay

    assertEquals(200, first.statusCode(), first.body());
    assertEquals(200, other.statusCode(), other.body());
    assertEquals(200, repeat.statusCode(), repeat.body());
    assertEquals(other.body(), repeat.body(), "the replay is the tenant's previous answer as it was released");
    assertFalse(Arrays.equals(clean, oipProbabilities(repeat.body())[0]), "the replay must carry the noise");
  }

  private static void stub(String model, String body) {
    wiremock.stubFor(post(urlEqualTo("/v2/models/" + model + "/infer")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody(body)));
  }

  @Test
  void aBatchOfThreeRowsCostsThreeReleases() throws Exception {
    HttpResponse<String> r = infer("batch", "digits", oipRequest(testRow(50), testRow(51), testRow(52)));

    assertEquals(200, r.statusCode(), r.body());
    double[][] rows = oipProbabilities(r.body());
    assertEquals(3, rows.length);
    for (double[] row : rows) {
      assertNull(notAProbabilityVector(row));
    }
    assertEquals(spentAfter(3), r.headers().firstValue(PrivacyStage.SPENT).orElse(null));
    HttpResponse<String> next = infer("batch", "digits", oipRequest(testRow(53)));
    assertEquals(spentAfter(4), next.headers().firstValue(PrivacyStage.SPENT).orElse(null));
  }
}
