package dev.warden.gateway.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.he.backend.CallerAuth;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.gateway.he.backend.TokenFile;
import dev.warden.gateway.it.TestGateways;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotating the HE backend's bearer token while both processes run: the backend and the gateway re-read
 * their token files when they change (as when the kubelet swaps a mounted Secret), the backend accepts
 * every token its file lists during the hand-over, and a broken new file keeps the last good token.
 */
class HeTokenRotationTest {
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: he-rotation}
      spec:
        tenants:
          - id: t1
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          he: {url: "http://127.0.0.1:@PORT@", protocol: warden-he, timeoutMs: 5000, tokenFile: "@GWTOKEN@"}
        models:
          - {name: digits, path: "@MODEL@", signature: "@SIG@", authority: {key: {publicKey: "@PUB@"}}}
        routes:
          - {name: digits, match: {protocol: oip, model: digits}, tenants: [t1], backend: he}
        state: {store: embedded, dir: "@STATE@"}
        he:
          keyStore: {dir: "@KEYDIR@", kekFile: "@KEK@"}
          models:
            digits: {path: "@MODEL@", signature: "@SIG@", publicKey: "@PUB@"}
      """;

  @TempDir Path dir;
  Vertx vertx;
  HeBackendServer backend;
  Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  /** Replaces the file in one step, as the kubelet does when a Secret changes (a new inode). */
  private static void replace(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".new");
    Files.writeString(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String newToken() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private int direct(String token) throws Exception {
    return TestGateways.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.actualPort()
        + "/v1/models")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void tokenRotatedOnBothSides_withoutRestartOrReload_andABrokenFileKeepsTheLastGoodToken() throws Exception {
    Dataset.Split split = Recipes.digitsSplit();
    Path model = dir.resolve("he-models/digits");
    Files.createDirectories(model);
    Files.write(model.resolve("model.onnx"), Recipes.digitsLogisticRegression(split.train()).toOnnx("input", "probabilities"));
    Path pub = dir.resolve("sign.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), dir.resolve("sign.pem"), pub);
    HeRouteTest.sign(model, dir.resolve("sign.pem"));
    String t1 = newToken();
    String t2 = newToken();
    Path backendTokens = dir.resolve("backend-token");
    Path gatewayToken = dir.resolve("gateway-token");
    replace(backendTokens, t1 + "\n");
    replace(gatewayToken, t1 + "\n");
    vertx = Vertx.vertx();
    backend = HeBackendServer.start(vertx, "127.0.0.1", 0, dir.resolve("he-models"), pub,
        HeBackendServer.Options.defaults(), CallerAuth.tokenFile(TokenFile.open(backendTokens))).await();
    String apiKey = TestGateways.newApiKey();
    Path kek = dir.resolve("kek");
    HeKeyStore.createKekFile(kek, new SecureRandom());
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.ofEntries(
        Map.entry("KEYS", TestGateways.keyHashes(dir, "keys.sha256", apiKey)), Map.entry("PORT", backend.actualPort()),
        Map.entry("GWTOKEN", gatewayToken), Map.entry("MODEL", model), Map.entry("SIG", model.resolve("model.sig")),
        Map.entry("PUB", pub), Map.entry("STATE", dir.resolve("state")), Map.entry("KEYDIR", dir.resolve("he-keys")),
        Map.entry("KEK", kek)));
    gateway = TestGateways.start(policy);
    HeRouteTest.awaitReady(gateway);
    float[] x = split.test().x()[0];
    HttpRequest infer = TestGateways.request(TestGateways.url(gateway) + "/v2/models/digits/infer", apiKey)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(HeRouteTest.oip(x))).build();

    assertEquals(200, TestGateways.HTTP.send(infer, HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(401, direct(t2));

    // hand-over: the backend accepts both, the gateway still presents the old one
    replace(backendTokens, t1 + "\n" + t2 + "\n");
    assertEquals(200, direct(t2));
    assertEquals(200, TestGateways.HTTP.send(infer, HttpResponse.BodyHandlers.ofString()).statusCode());
    // the gateway switches to the new token without a policy reload
    replace(gatewayToken, t2 + "\n");
    HttpResponse<String> r = TestGateways.HTTP.send(infer, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    // the old token is dropped: refused from now on, while the gateway goes on
    replace(backendTokens, t2 + "\n");
    assertEquals(401, direct(t1));
    assertEquals(200, TestGateways.HTTP.send(infer, HttpResponse.BodyHandlers.ofString()).statusCode());

    // a broken new version (too short) is refused and the last good token stays in use
    replace(backendTokens, "short\n");
    assertEquals(200, direct(t2));
    assertEquals(401, direct("short"));
    assertEquals(200, TestGateways.HTTP.send(infer, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void tokenFile_namesTheFileAndLineOfABadToken_andRefusesAnEmptyFile() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, newToken() + "\n\nbad token with spaces\n");
    IOException e = assertThrows(IOException.class, () -> TokenFile.open(f));
    assertTrue(e.getMessage().contains(f + ":3:"), e.getMessage());
    Files.writeString(f, "\n  \n");
    assertTrue(assertThrows(IOException.class, () -> TokenFile.open(f)).getMessage().contains("holds no token"));
    String a = newToken();
    String b = newToken();
    Files.writeString(f, " " + a + " \n" + b + "\n");
    TokenFile tf = TokenFile.open(f);
    assertEquals(a, tf.token(), "the first line is presented");
    assertEquals(java.util.List.of(a, b), tf.tokens());
    assertTrue(CallerAuth.tokenFile(tf).permits("Bearer " + b));
    assertTrue(!CallerAuth.tokenFile(tf).permits("Bearer " + a + "x"));
  }
}
