package dev.warden.bench.screening;

import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.auth.ApiKeyIndex;
import dev.warden.gateway.demo.backends.DemoModelServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway ({@link StandardCapabilities}, one event loop) on loopback in front of the demo model
 * server with the demo digits MLP, with two routes to the same model that differ only in screening:
 * {@code plain} (none) and {@code screened} (input digest + the query-attack store + the MagNet
 * autoencoder, action audit, so every request is served and costs the same whatever the verdict).
 * One HTTP/1.1 client connection, used sequentially. For {@link ScreeningGatewayBenchmark} and
 * {@link ScreeningStageCost}.
 */
final class ScreeningGatewayFixture implements AutoCloseable {
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: bench-screening}
      spec:
        mode: enforce
        tenants:
          - {id: bench, apiKeys: {sha256File: "@KEYS@"}}
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 5000}
        routes:
          - name: plain
            match: {protocol: oip, model: plain}
            tenants: [bench]
            allowUnsignedModel: true
            backend: digits
          - name: screened
            match: {protocol: oip, model: screened}
            tenants: [bench]
            allowUnsignedModel: true
            screening:
              - {type: input-digest}
              - {type: query-attack-store, action: audit, timeoutMs: 50, onError: fail-open}
              - {type: onnx-detector, action: audit, timeoutMs: 50, onError: fail-closed}
            backend: digits
        audit: {file: "@DIR@/audit/audit.jsonl", signingKey: "@DIR@/audit-ed25519.pem", checkpointEvery: 1000}
        state: {store: embedded, dir: "@DIR@/state"}
      """;

  private final Vertx backendVertx;
  private final Gateway gateway;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String key = "wdn_bench_screening_0123456789";
  private final float[][] digits = Datasets.digits().x();
  private final URI plain;
  private final URI screened;
  private int next;

  ScreeningGatewayFixture() throws Exception {
    Path dir = Files.createTempDirectory("warden-bench-screening");
    Files.createDirectories(dir.resolve("audit"));
    Files.createDirectories(dir.resolve("state"));
    AuditKeys.writePrivateKey(dir.resolve("audit-ed25519.pem"), AuditKeys.generate().getPrivate());
    Files.writeString(dir.resolve("keys.sha256"), ApiKeyIndex.hashHex(key) + "\n");
    DenseNetwork net = Recipes.digitsMlp(Recipes.digitsSplit().train());
    Path model = dir.resolve("digits.onnx");
    Files.write(model, net.toOnnx("input", "probabilities"));
    backendVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    DemoModelServer backend = DemoModelServer.start(backendVertx, "127.0.0.1", 0, Map.of("plain", model, "screened", model), 1)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY.replace("@KEYS@", dir.resolve("keys.sha256").toString())
        .replace("@PORT@", Integer.toString(backend.actualPort())).replace("@DIR@", dir.toString()));
    gateway = StandardCapabilities.install(Gateway.builder()).policy(policy).listen("127.0.0.1", 0)
        .admin("127.0.0.1", 0).eventLoops(1).watchPolicy(false).build();
    gateway.start().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    plain = URI.create("http://127.0.0.1:" + gateway.port() + "/v2/models/plain/infer");
    screened = URI.create("http://127.0.0.1:" + gateway.port() + "/v2/models/screened/infer");
  }

  /** One request to the route without screening; returns its status. */
  int plain() throws Exception { return send(plain, body()); }

  /** One request to the screened route; returns its status. */
  int screened() throws Exception { return send(screened, body()); }

  /** The next digit, with one value changed so bodies stay distinct (the verdict cache never hits). */
  String body() {
    int i = next++;
    float[] x = digits[i % digits.length].clone();
    x[(i / digits.length) % 64] = (i / (64 * digits.length)) % 17;
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":[");
    for (int k = 0; k < x.length; k++) sb.append(k == 0 ? "" : ",").append(x[k]);
    return sb.append("]}]}").toString();
  }

  private int send(URI uri, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    int status = client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    if (status != 200) throw new IllegalStateException("HTTP " + status + " from " + uri);
    return status;
  }

  @Override
  public void close() throws Exception {
    gateway.close();
    backendVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
