package dev.warden.gateway.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.crypto.he.rlwe.Serialization;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.demo.backends.DemoModelServer;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.gateway.it.RefusingPort;
import dev.warden.gateway.it.TestGateways;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HE route end to end on loopback: a real {@code warden he-backend} (signed LR digits model), the
 * gateway with a policy whose OIP and TF routes send {@code X-Data-Class: restricted} requests there,
 * and a plain ONNX Runtime model server for the rest.
 */
class HeRouteTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  // the he backend gets 30 s a call: a first call uploads evaluation keys and runs an encrypted inference
  // (about 1.5 s on a loaded 2-core machine, 3x that on a slow CI: 5 s was thin); no test waits for it to expire
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: he-test}
      spec:
        tenants:
          - id: t1
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          plain: {url: "http://127.0.0.1:@PLAIN@", protocol: oip, timeoutMs: 5000}
          plain-tf: {url: "http://127.0.0.1:@PLAIN@", protocol: tf, timeoutMs: 5000}
          he: {url: "http://127.0.0.1:@HE@", protocol: warden-he, timeoutMs: 30000}
          he-down: {url: "http://127.0.0.1:@DOWN@", protocol: warden-he, timeoutMs: 2000}
          he-evil: {url: "http://127.0.0.1:@EVIL@", protocol: warden-he, timeoutMs: 5000}
        models:
          - name: digits
            path: "@MODEL@"
            signature: "@SIG@"
            authority: {key: {publicKey: "@PUB@"}}
          - name: digits2
            path: "@MODEL@"
            signature: "@SIG@"
            authority: {key: {publicKey: "@PUB@"}}
          - name: digits-dp
            path: "@MODEL@"
            signature: "@SIG@"
            authority: {key: {publicKey: "@PUB@"}}
          - name: digits3
            path: "@MODEL@"
            signature: "@SIG@"
            authority: {key: {publicKey: "@PUB@"}}
          - name: digits4
            path: "@MODEL@"
            signature: "@SIG@"
            authority: {key: {publicKey: "@PUB@"}}
        routes:
          - name: digits-oip
            match: {protocol: oip, model: digits}
            tenants: [t1]
            compute:
              - {backend: he, when: {header: {X-Data-Class: restricted}}}
              - {backend: plain}
          - name: digits-tf
            match: {protocol: tf, model: digits}
            tenants: [t1]
            compute:
              - {backend: he, when: {header: {X-Data-Class: restricted}}}
              - {backend: plain-tf}
          - name: digits2
            match: {protocol: oip, model: digits2}
            tenants: [t1]
            compute:
              - {backend: he-down, when: {header: {X-Data-Class: restricted}}}
              - {backend: plain}
          - name: digits-dp
            match: {protocol: oip, model: digits-dp}
            tenants: [t1]
            privacy:
              mechanism: gaussian
              outputKind: probabilities
              dimension: 10
              rhoPerQuery: 0.002
              budget: {epsilon: 1.0, delta: 1.0e-6, globalEpsilon: 4.0}
            backend: he
          - name: digits3
            match: {protocol: oip, model: digits3}
            tenants: [t1]
            backend: he-evil
          - name: digits4
            match: {protocol: oip, model: digits4}
            tenants: [t1]
            backend: he
        state: {store: embedded, dir: "@STATE@"}
        he:
          keyStore: {dir: "@KEYDIR@", kekFile: "@KEK@"}
          models:
            digits: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", rotateAfter: @ROTATE@}
            digits2: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
            digits-dp: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
            digits3: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits}
            digits4: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@", backendModel: digits, rotateAfter: 1000}
      """;
  static final int ROTATE = 5;

  @TempDir static Path dir;
  static Vertx vertx;
  static HeBackendServer backend;
  static DemoModelServer plain;
  static io.vertx.core.http.HttpServer evil;
  static Gateway gateway;
  static String apiKey;
  static Dataset test;
  static DenseNetwork lr;
  static final List<byte[]> wire = Collections.synchronizedList(new ArrayList<>());
  static Map<String, Object> policyTokens;
  static RefusingPort down;

  @BeforeAll
  static void start() throws Exception {
    Dataset.Split split = Recipes.digitsSplit();
    test = split.test();
    lr = Recipes.digitsLogisticRegression(split.train());
    Path models = dir.resolve("he-models");
    Path model = models.resolve("digits");
    Files.createDirectories(model);
    Files.write(model.resolve("model.onnx"), lr.toOnnx("input", "probabilities"));
    Path key = dir.resolve("sign.pem");
    Path pub = dir.resolve("sign.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), key, pub);
    sign(model, key);
    Path unsigned = models.resolve("unsigned");
    Files.createDirectories(unsigned);
    Files.write(unsigned.resolve("model.onnx"), lr.toOnnx("input", "probabilities"));
    vertx = Vertx.vertx();
    backend = HeBackendServer.start(vertx, "127.0.0.1", 0, models, pub, HeBackendServer.Options.defaults()).await();
    backend.tap(wire::add);
    plain = DemoModelServer.start(vertx, "127.0.0.1", 0, Map.of("digits", model.resolve("model.onnx"),
        "digits2", model.resolve("model.onnx"))).await();
    // a hostile backend: accepts any key set and answers every query with the query itself (a top-level
    // ciphertext instead of the model's output level)
    evil = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.method() == io.vertx.core.http.HttpMethod.PUT) {
        req.response().setStatusCode(204).end();
      } else {
        req.response().putHeader("Content-Type", "application/octet-stream").end(b);
      }
    })).listen(0, "127.0.0.1").await();
    apiKey = TestGateways.newApiKey();
    Path kek = dir.resolve("kek");
    HeKeyStore.createKekFile(kek, new SecureRandom());
    down = new RefusingPort(); // held until the end: a closed ServerSocket's port could be given to a later server
    policyTokens = Map.ofEntries(
        Map.entry("KEYS", TestGateways.keyHashes(dir, "keys.sha256", apiKey)),
        Map.entry("PLAIN", plain.actualPort()), Map.entry("HE", backend.actualPort()), Map.entry("DOWN", down.port()),
        Map.entry("EVIL", evil.actualPort()), Map.entry("STATE", dir.resolve("state")),
        Map.entry("MODEL", model), Map.entry("SIG", model.resolve("model.sig")), Map.entry("PUB", pub),
        Map.entry("KEYDIR", dir.resolve("he-keys")), Map.entry("KEK", kek), Map.entry("ROTATE", ROTATE));
    gateway = TestGateways.start(TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, policyTokens));
    awaitReady(gateway);
  }

  /** Waits until the gateway has verified every model signature of its policy (that runs behind the start). */
  static void awaitReady(Gateway g) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    String page = "";
    while (System.nanoTime() < deadline) {
      page = TestGateways.get(TestGateways.adminUrl(g) + "/admin/models", null).body();
      JsonNode models = JSON.readTree(page).path("models");
      boolean all = models.size() > 0;
      for (JsonNode m : models) {
        all &= m.path("state").asText().equals("verified");
      }
      if (all && g.notReadyReason() == null) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("models not verified: " + page);
  }

  static void sign(Path model, Path key) throws Exception {
    try (ModelHasher hasher = new ModelHasher()) {
      ModelSigner.withKey(Pem.readPrivateKey(key, null), hasher)
          .sign(model, model.resolve("model.sig"), HashingOptions.files(), HashProgress.NONE);
    }
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close().await();
    }
    if (plain != null) {
      plain.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    if (down != null) {
      try {
        down.close();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  static String oip(float[]... rows) {
    ObjectNode o = JSON.createObjectNode().put("id", "r1");
    ObjectNode in = o.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
    in.putArray("shape").add(rows.length).add(64);
    ArrayNode data = in.putArray("data");
    for (float[] r : rows) {
      for (float v : r) {
        data.add(v);
      }
    }
    return o.toString();
  }

  static HttpResponse<String> post(String path, String body, boolean restricted) throws Exception {
    HttpRequest.Builder b = TestGateways.request(TestGateways.url(gateway) + path, apiKey)
        .header("Content-Type", "application/json");
    if (restricted) {
      b.header("X-Data-Class", "restricted");
    }
    return TestGateways.HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int argmax(JsonNode a, int from, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) {
      if (a.get(from + i).asDouble() > a.get(from + best).asDouble()) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void encryptedAndPlaintextAnswersAgree_overHeldOutDigits_andOnlyCiphertextsCrossTheWire() throws Exception {
    int n = 24;
    wire.clear();
    int agree = 0;
    double maxDiff = 0;
    for (int i = 0; i < n; i++) {
      float[] x = test.x()[i];
      HttpResponse<String> he = post("/v2/models/digits/infer", oip(x), true);
      assertEquals(200, he.statusCode(), he.body());
      assertEquals("he", he.headers().firstValue("Warden-Compute").orElse(null));
      HttpResponse<String> pl = post("/v2/models/digits/infer", oip(x), false);
      assertEquals(200, pl.statusCode(), pl.body());
      assertTrue(pl.headers().firstValue("Warden-Compute").isEmpty(), "plain route has no HE header");
      JsonNode ho = JSON.readTree(he.body()).get("outputs").get(0);
      JsonNode po = JSON.readTree(pl.body()).get("outputs").get(0);
      assertEquals("probabilities", ho.get("name").asText());
      assertEquals(po.get("shape"), ho.get("shape"));
      assertEquals("r1", JSON.readTree(he.body()).get("id").asText());
      if (argmax(ho.get("data"), 0, 10) == argmax(po.get("data"), 0, 10)) {
        agree++;
      }
      for (int k = 0; k < 10; k++) {
        maxDiff = Math.max(maxDiff, Math.abs(ho.get("data").get(k).asDouble() - po.get("data").get(k).asDouble()));
      }
    }
    assertEquals(n, agree, "argmax of encrypted and plaintext answers");
    assertTrue(maxDiff < 1e-2, "largest probability difference " + maxDiff);

    // What the backend received: one evaluation-key set (public) and ciphertexts. None of it is a
    // plaintext of the pixels; a ciphertext parses as one and does not decrypt under another key.
    assertFalse(wire.isEmpty());
    CompiledModel cm = HeModels.compile(lr.toOnnx("input", "probabilities"), null);
    int ciphertexts = 0;
    for (byte[] body : wire) {
      assertFalse(containsFloats(body, test.x()[0]), "pixel values as float32 on the wire");
      assertFalse(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1).contains("\"data\""));
      try {
        Serialization.readCiphertext(body, cm.parameters());
        if (ciphertexts++ > 0) {
          continue;
        }
        EncryptedInference.KeyHolder other = EncryptedInference.KeyHolder.create(cm, new SecureRandom(),
            EncryptedInference.Options.defaults());
        byte[] evaluated = new EncryptedInference.Evaluator(cm, other.evaluationKeys()).evaluate(body);
        EncryptedInference.Answer wrong = other.decrypt(evaluated, 1);
        // Compare the raw scores (logits), not the softmax: a softmax of huge garbage is one-hot and lands on
        // the true class one time in ten, which says nothing about what was recovered.
        float[] logits = lr.withoutFinalActivation().forward(test.x()[0]);
        double diff = 0;
        for (int k = 0; k < 10; k++) {
          diff = Math.max(diff, Math.abs(wrong.scores()[0][k] - logits[k]));
        }
        // under the wrong key the "decryption" is noise, not the model's logits
        assertTrue(diff > 1.0 || Double.isNaN(diff), "decrypted without the tenant's key: " + diff);
      } catch (IllegalArgumentException notACiphertext) {
        Serialization.readEvaluationKeys(body, cm.parameters()); // else it must be the public key set
      }
    }
    assertTrue(ciphertexts >= n, "every HE request sent one ciphertext");
  }

  private static boolean containsFloats(byte[] hay, float[] x) {
    // look for 4 consecutive non-zero pixels encoded as float32 (either byte order)
    int start = -1;
    for (int i = 0; i + 4 <= x.length; i++) {
      if (x[i] != 0 && x[i + 1] != 0 && x[i + 2] != 0 && x[i + 3] != 0) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return false;
    }
    for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
      ByteBuffer bb = ByteBuffer.allocate(16).order(order);
      for (int k = 0; k < 4; k++) {
        bb.putFloat(x[start + k]);
      }
      byte[] needle = bb.array();
      outer:
      for (int i = 0; i + needle.length <= hay.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (hay[i + j] != needle[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }

  @Test
  void tfPredict_isAnsweredInTfFormat_throughHe() throws Exception {
    ArrayNode row = JSON.createObjectNode().putArray("x");
    for (float v : test.x()[3]) {
      row.add(v);
    }
    String body = "{\"instances\": [" + row + "]}";
    HttpResponse<String> he = post("/v1/models/digits:predict", body, true);
    assertEquals(200, he.statusCode(), he.body());
    assertEquals("he", he.headers().firstValue("Warden-Compute").orElse(null));
    HttpResponse<String> pl = post("/v1/models/digits:predict", body, false);
    assertEquals(200, pl.statusCode(), pl.body());
    JsonNode hp = JSON.readTree(he.body()).get("predictions").get(0);
    JsonNode pp = JSON.readTree(pl.body()).get("predictions").get(0);
    assertEquals(argmax(pp, 0, 10), argmax(hp, 0, 10));
  }

  @Test
  void backendDown_isA503OnTheSensitiveRoute_whileThePlainRouteWorks() throws Exception {
    HttpResponse<String> he = post("/v2/models/digits2/infer", oip(test.x()[1]), true);
    assertEquals(503, he.statusCode(), he.body());
    assertEquals("he_backend_unavailable", JSON.readTree(he.body()).get("code").asText());
    HttpResponse<String> pl = post("/v2/models/digits2/infer", oip(test.x()[1]), false);
    assertEquals(200, pl.statusCode(), pl.body());
  }

  @Test
  void aBackendAnsweringAWrongShapeCiphertext_isRefusedWith502() throws Exception {
    HttpResponse<String> r = post("/v2/models/digits3/infer", oip(test.x()[4]), false);
    assertEquals(502, r.statusCode(), r.body());
    assertEquals("he_bad_answer", JSON.readTree(r.body()).get("code").asText());
    assertFalse(r.body().contains("\"outputs\""));
  }

  @Test
  void aBatchLargerThanOneCiphertext_isSplit_andAnswersAgreeRowByRow() throws Exception {
    float[][] rows = new float[40][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = test.x()[100 + i];
    }
    HttpResponse<String> he = post("/v2/models/digits/infer", oip(rows), true);
    assertEquals(200, he.statusCode(), he.body());
    assertEquals("he", he.headers().firstValue("Warden-Compute").orElse(null));
    JsonNode out = JSON.readTree(he.body()).get("outputs").get(0);
    assertEquals(40, out.get("shape").get(0).asInt());
    for (int i = 0; i < rows.length; i++) {
      float[] want = lr.forward(rows[i]);
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = want[k] > want[best] ? k : best;
      }
      assertEquals(best, argmax(out.get("data"), i * 10, 10), "row " + i);
    }
    float[][] tooMany = new float[32 * HeComputeBackend.MAX_CIPHERTEXTS + 1][];
    java.util.Arrays.fill(tooMany, test.x()[0]);
    HttpResponse<String> big = post("/v2/models/digits/infer", oip(tooMany), true);
    assertEquals(422, big.statusCode(), big.body());
    assertEquals("he_batch_too_large", JSON.readTree(big.body()).get("code").asText());
  }

  @Test
  void dpNoiseIsAddedAfterDecryption_onAnHeRoute() throws Exception {
    HttpResponse<String> r = post("/v2/models/digits-dp/infer", oip(test.x()[9]), false);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("he", r.headers().firstValue("Warden-Compute").orElse(null));
    assertTrue(r.headers().firstValue("Warden-Privacy-Epsilon-Spent").isPresent(), r.headers().toString());
    JsonNode data = JSON.readTree(r.body()).get("outputs").get(0).get("data");
    assertEquals(10, data.size());
    float[] exact = lr.forward(test.x()[9]);
    double diff = 0;
    double sum = 0;
    for (int k = 0; k < 10; k++) {
      diff = Math.max(diff, Math.abs(data.get(k).asDouble() - exact[k]));
      sum += data.get(k).asDouble();
    }
    assertEquals(1.0, sum, 1e-3, "clamped and renormalised probabilities");
    assertTrue(diff > 0.05, "the released probabilities carry DP noise far beyond HE's own error: " + diff);
  }

  @Test
  void backendRefusesUnsignedModels() throws Exception {
    HeBackendServer.ModelStatus unsigned = backend.models().stream().filter(m -> m.name().equals("unsigned"))
        .findFirst().orElseThrow();
    assertFalse(unsigned.loaded());
    assertTrue(unsigned.reason().contains("unsigned"), unsigned.reason());
    HttpResponse<String> r = TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + backend.actualPort() + "/v1/models/unsigned/infer")).header("Warden-Key-Id", "k-x")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[16])).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, r.statusCode());
    assertTrue(r.body().contains("unknown_model"), r.body());
  }

  @Test
  void backendRejectsMalformedCiphertextsAndKeys_withClear4xx() throws Exception {
    String base = "http://127.0.0.1:" + backend.actualPort();
    HttpResponse<String> keys = TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create(base
        + "/v1/keys/k-bad?model=digits")).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, keys.statusCode(), keys.body());
    assertTrue(keys.body().contains("malformed_keys"), keys.body());
    // a valid key set, then garbage as a ciphertext
    CompiledModel cm = HeModels.compile(lr.toOnnx("input", "probabilities"), null);
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(cm, new SecureRandom(),
        EncryptedInference.Options.defaults());
    HttpResponse<String> ok = TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create(base
        + "/v1/keys/k-test?model=digits")).PUT(HttpRequest.BodyPublishers.ofByteArray(kh.evaluationKeys())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, ok.statusCode(), ok.body());
    byte[] query = kh.encrypt(new double[][] {toDoubles(test.x()[0])});
    query[query.length / 2] ^= 0x7f;
    query[query.length - 1] ^= 0x7f;
    HttpResponse<String> bad = TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create(base
        + "/v1/models/digits/infer")).header("Warden-Key-Id", "k-test")
        .POST(HttpRequest.BodyPublishers.ofByteArray(java.util.Arrays.copyOf(query, query.length - 5))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("malformed_ciphertext"), bad.body());
  }

  @Test
  void wrongShapeAnswer_isRefusedByTheKeyHolder() throws Exception {
    CompiledModel cm = HeModels.compile(lr.toOnnx("input", "probabilities"), null);
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(cm, new SecureRandom(),
        EncryptedInference.Options.defaults());
    byte[] query = kh.encrypt(new double[][] {toDoubles(test.x()[0])});
    // a hostile backend echoes the query (top level, not the model's output level) instead of evaluating it
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> kh.decrypt(query, 1));
    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
  }

  @Test
  void keysRotateAtTheConfiguredCount_andTheOldKeyIdIsRetiredAtTheBackend() throws Exception {
    // a separate tenant state: read which key id the store holds before and after ROTATE decryptions
    HeKeyStore store = HeKeyStore.open(dir.resolve("he-keys"),
        HeKeyStore.readKek(dir.resolve("kek"), null, Map.of()), new SecureRandom());
    post("/v2/models/digits/infer", oip(test.x()[5]), true);
    String first = store.load("t1", "digits").keyId();
    int setsBefore = backend.cachedKeySets();
    assertTrue(setsBefore >= 1);
    String last = first;
    for (int i = 0; i < ROTATE + 1 && last.equals(first); i++) {
      HttpResponse<String> r = post("/v2/models/digits/infer", oip(test.x()[6 + i]), true);
      assertEquals(200, r.statusCode(), r.body());
      last = store.load("t1", "digits").keyId();
    }
    assertNotEquals(first, last, "a new key set after " + ROTATE + " decryptions");
    // the old id is retired at the backend: using it there is refused
    long deadline = System.nanoTime() + 30_000_000_000L; // polled: a loaded CI machine may retire it late
    int status = 0;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + backend.actualPort() + "/v1/models/digits/infer")).header("Warden-Key-Id", first)
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[16])).build(), HttpResponse.BodyHandlers.ofString());
      status = r.statusCode();
      if (status == 404) {
        assertTrue(r.body().contains("unknown_key"), r.body());
        break;
      }
      Thread.sleep(50);
    }
    assertEquals(404, status, "old key id still usable at the backend");
  }

  @Test
  void keyUseCounter_isPersistedAheadOfUse_soARestartNeverForgetsADecryption() throws Exception {
    HeKeyStore store = HeKeyStore.open(dir.resolve("he-keys"),
        HeKeyStore.readKek(dir.resolve("kek"), null, Map.of()), new SecureRandom());
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = post("/v2/models/digits4/infer", oip(test.x()[20 + i]), false);
      assertEquals(200, r.statusCode(), r.body());
      long stored = store.load("t1", "digits4").uses();
      assertTrue(stored >= i, "after " + i + " decryptions the store says " + stored);
      assertTrue(stored <= i - 1 + HeComputeBackend.RESERVE, "one reservation ahead at most: " + stored);
    }
    HeKeyStore.Entry beforeCrash = store.load("t1", "digits4");
    // A second gateway on the same key store starts from what is on disk, exactly as after a crash of the
    // first (nothing is written at shutdown): every decryption made before counts as made.
    Map<String, Object> second = new java.util.HashMap<>(policyTokens);
    second.put("STATE", dir.resolve("state-restarted"));
    try (Gateway restarted = TestGateways.start(TestGateways.writePolicy(dir.resolve("policy-restarted.yaml"),
        POLICY, second))) {
      awaitReady(restarted);
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = TestGateways.HTTP.send(TestGateways.request(TestGateways.url(restarted)
            + "/v2/models/digits4/infer", apiKey).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(oip(test.x()[30 + i]))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
      }
    }
    HeKeyStore.Entry after = store.load("t1", "digits4");
    assertEquals(beforeCrash.keyId(), after.keyId(), "same key set (rotateAfter 1000 is far)");
    assertTrue(after.uses() >= beforeCrash.uses() + 2,
        "counting resumes from the persisted reservation: " + beforeCrash.uses() + " then " + after.uses());
  }

  @Test
  void keyStore_isEncryptedAtRest_andReloadsTheSameSecret() throws Exception {
    Path d = dir.resolve("ks-test");
    byte[] kek = new byte[32];
    new SecureRandom().nextBytes(kek);
    HeKeyStore s = HeKeyStore.open(d, kek, new SecureRandom());
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    s.store("t", "m", new HeKeyStore.Entry("k-1", seed, 7));
    byte[] file = Files.readAllBytes(d.resolve("t/m.key"));
    assertFalse(indexOf(file, seed), "seed stored in plaintext");
    HeKeyStore.Entry e = s.load("t", "m");
    assertEquals("k-1", e.keyId());
    assertEquals(7, e.uses());
    assertTrue(java.util.Arrays.equals(seed, e.seed()));
    assertFalse(e.toString().contains(java.util.HexFormat.of().formatHex(seed)));
    byte[] other = kek.clone();
    other[0] ^= 1;
    assertThrows(java.io.IOException.class, () -> HeKeyStore.open(d, other, new SecureRandom()).load("t", "m"));
    Files.createDirectories(d.resolve("u"));
    Files.copy(d.resolve("t/m.key"), d.resolve("u/m.key"));
    assertThrows(java.io.IOException.class, () -> s.load("u", "m"), "a file moved to another tenant");
    assertNull(s.load("t", "none"));

    // a key holder re-created from the stored seed holds the same secret key
    CompiledModel cm = HeModels.compile(lr.toOnnx("input", "probabilities"), null);
    EncryptedInference.KeyHolder a = EncryptedInference.KeyHolder.create(cm, new KeySeedRandom(seed, new SecureRandom()),
        EncryptedInference.Options.defaults());
    EncryptedInference.KeyHolder b = EncryptedInference.KeyHolder.create(cm, new KeySeedRandom(e.seed(), new SecureRandom()),
        EncryptedInference.Options.defaults());
    double[] x = toDoubles(test.x()[2]);
    byte[] answer = new EncryptedInference.Evaluator(cm, a.evaluationKeys()).evaluate(a.encrypt(new double[][] {x}));
    double[] got = b.decrypt(answer, 1).outputs()[0];
    float[] want = lr.forward(test.x()[2]);
    for (int k = 0; k < 10; k++) {
      assertEquals(want[k], got[k], 1e-2);
    }
  }

  private static boolean indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
