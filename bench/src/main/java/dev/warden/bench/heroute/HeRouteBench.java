package dev.warden.bench.heroute;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.auth.ApiKeyIndex;
import dev.warden.gateway.demo.backends.DemoModelServer;
import dev.warden.gateway.he.HeKeyStore;
import dev.warden.gateway.he.HeModels;
import dev.warden.gateway.he.backend.CallerAuth;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency of the digits logistic-regression HE route (N = 8192) and of the square-activation MLP route
 * (N = 16384) through the gateway on loopback (real HE backend with caller authentication by bearer
 * token, real gateway; no screening or rate limits on the routes, so the figures are the HE path itself),
 * with the plain ONNX Runtime route for comparison, and the bytes on the wire. Prints JSON lines.
 * Args: [LR requests per run, default 300] [MLP requests per run, default 40].
 */
public final class HeRouteBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HeRouteBench() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int nMlp = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    Path dir = Files.createTempDirectory("warden-he-bench");
    Dataset.Split split = Recipes.digitsSplit();
    byte[] onnx = Recipes.digitsLogisticRegression(split.train()).toOnnx("input", "probabilities");
    Path model = dir.resolve("he-models/digits");
    Files.createDirectories(model);
    Files.write(model.resolve("model.onnx"), onnx);
    byte[] mlpOnnx = Recipes.digitsSquareMlp(split.train()).toOnnx("input", "probabilities");
    Path mlp = dir.resolve("he-models/digits-mlp");
    Files.createDirectories(mlp);
    Files.write(mlp.resolve("model.onnx"), mlpOnnx);
    Files.writeString(mlp.resolve("he-parameters"), HeModels.LOGN14);
    Path key = dir.resolve("sign.pem");
    Path pub = dir.resolve("sign.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), key, pub);
    try (ModelHasher hasher = new ModelHasher()) {
      for (Path m : new Path[] {model, mlp}) {
        ModelSigner.withKey(Pem.readPrivateKey(key, null), hasher)
            .sign(m, m.resolve("model.sig"), HashingOptions.files(), HashProgress.NONE);
      }
    }
    CallerAuth.createTokenFile(dir.resolve("he-token"), new SecureRandom());
    HeKeyStore.createKekFile(dir.resolve("kek"), new SecureRandom());
    String apiKey = "wdn_bench_" + Long.toHexString(new SecureRandom().nextLong());
    Files.writeString(dir.resolve("keys.sha256"), ApiKeyIndex.hashHex(apiKey) + "\n");

    Vertx vertx = Vertx.vertx();
    // -DbackendJvm="-XX:+UseParallelGC": the backend in its own JVM with its own options, as deployed (the
    // Helm chart runs it on ParallelGC; the gateway keeps this JVM's collector). Default: in this JVM.
    String backendJvm = System.getProperty("backendJvm");
    HeBackendServer backend = null;
    Process backendProcess = null;
    int backendPort;
    if (backendJvm == null) {
      backend = HeBackendServer.start(vertx, "127.0.0.1", 0, dir.resolve("he-models"), pub,
          slowMachineOptions(), CallerAuth.token(CallerAuth.readToken(dir.resolve("he-token")))).await();
      backendPort = backend.actualPort();
    } else {
      backendPort = freePort();
      backendProcess = startBackendProcess(backendJvm, dir, pub, backendPort);
    }
    DemoModelServer plain = DemoModelServer.start(vertx, "127.0.0.1", 0,
        java.util.Map.of("digits", model.resolve("model.onnx"))).await();
    String policy = String.join("\n",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: he-bench}",
        "spec:",
        "  tenants:",
        "    - id: bench",
        "      apiKeys: {sha256File: \"" + dir.resolve("keys.sha256") + "\"}",
        "  backends:",
        "    plain: {url: \"http://127.0.0.1:" + plain.actualPort() + "\", protocol: oip, timeoutMs: 10000}",
        "    he: {url: \"http://127.0.0.1:" + backendPort + "\", protocol: warden-he, timeoutMs: 120000, "
            + "tokenFile: \"" + dir.resolve("he-token") + "\"}",
        "  models:",
        "    - name: digits",
        "      path: \"" + model + "\"",
        "      signature: \"" + model.resolve("model.sig") + "\"",
        "      authority: {key: {publicKey: \"" + pub + "\"}}",
        "    - name: digits-mlp",
        "      path: \"" + mlp + "\"",
        "      signature: \"" + mlp.resolve("model.sig") + "\"",
        "      authority: {key: {publicKey: \"" + pub + "\"}}",
        "  routes:",
        "    - name: digits-mlp",
        "      match: {protocol: oip, model: digits-mlp}",
        "      tenants: [bench]",
        "      backend: he",
        "    - name: digits",
        "      match: {protocol: oip, model: digits}",
        "      tenants: [bench]",
        "      compute:",
        "        - {backend: he, when: {header: {X-Data-Class: restricted}}}",
        "        - {backend: plain}",
        "  he:",
        "    keyStore: {dir: \"" + dir.resolve("he-keys") + "\", kekFile: \"" + dir.resolve("kek") + "\"}",
        "    models:",
        "      digits: {path: \"" + model + "\", signature: \"" + model.resolve("model.sig") + "\", publicKey: \""
            + pub + "\"}",
        "      digits-mlp: {path: \"" + mlp + "\", signature: \"" + mlp.resolve("model.sig") + "\", publicKey: \""
            + pub + "\", parameters: " + HeModels.LOGN14 + "}",
        "");
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, policy);
    Gateway gateway = StandardCapabilities.install(Gateway.builder()).policy(policyFile)
        .listen("127.0.0.1", 0).admin("127.0.0.1", 0).watchPolicy(false).build();
    gateway.start().await();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (gateway.notReadyReason() != null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    String url = "http://127.0.0.1:" + gateway.port() + "/v2/models/digits/infer";
    List<String> bodies = new ArrayList<>();
    for (float[] x : split.test().x()) {
      ObjectNode o = JSON.createObjectNode();
      ObjectNode in = o.putArray("inputs").addObject().put("name", "input").put("datatype", "FP32");
      in.putArray("shape").add(1).add(64);
      ArrayNode data = in.putArray("data");
      for (float v : x) {
        data.add(v);
      }
      bodies.add(o.toString());
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try {
      run(http, url, apiKey, bodies, true, 1, Math.min(n, 100)); // warm-up (JIT, key push)
      run(http, url, apiKey, bodies, false, 1, Math.min(n, 100));
      for (boolean he : new boolean[] {true, false}) {
        for (int c : new int[] {1, 8}) {
          double[] r = run(http, url, apiKey, bodies, he, c, n);
          System.out.printf("{\"bench\":\"he-route\",\"route\":\"%s\",\"concurrency\":%d,\"requests\":%d,"
              + "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"req_per_s\":%.1f}%n", he ? "he" : "plain", c, n, r[0], r[1], r[2]);
        }
      }
      String mlpUrl = "http://127.0.0.1:" + gateway.port() + "/v2/models/digits-mlp/infer";
      run(http, mlpUrl, apiKey, bodies, true, 1, Math.min(nMlp, 10)); // warm-up (JIT, key push)
      for (int c : new int[] {1, 8}) {
        double[] r = run(http, mlpUrl, apiKey, bodies, true, c, nMlp);
        System.out.printf("{\"bench\":\"he-route\",\"route\":\"he-mlp\",\"concurrency\":%d,\"requests\":%d,"
            + "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"req_per_s\":%.1f}%n", c, nMlp, r[0], r[1], r[2]);
      }
      bytes("lr", HeModels.compile(onnx, null), split);
      bytes("mlp", HeModels.compile(mlpOnnx, HeModels.LOGN14), split);
    } finally {
      gateway.close();
      if (backend != null) {
        backend.close().await();
      }
      if (backendProcess != null) {
        backendProcess.destroy();
        backendProcess.waitFor();
      }
      plain.close().await();
      vertx.close().await();
    }
  }

  /**
   * The backend's defaults but a 2-minute evaluation deadline: on a loaded 2-core machine eight queued
   * MLP evaluations exceed the default 10 s, and the bench measures latency rather than refusals.
   */
  static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return ss.getLocalPort();
    }
  }

  /** {@code warden he-backend} from this jar in a child JVM with {@code jvmOptions}; returns once it answers. */
  static Process startBackendProcess(String jvmOptions, Path dir, Path pub, int port) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmOptions.trim().split("\\s+")));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.warden.gateway.cli.WardenCli", "he-backend",
        "--models", dir.resolve("he-models").toString(), "--public-key", pub.toString(), "--port",
        Integer.toString(port), "--token-file", dir.resolve("he-token").toString(), "--timeout-ms", "120000"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("he-backend.log").toFile()).start();
    HttpClient probe = HttpClient.newHttpClient();
    long until = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < until) {
      try {
        if (probe.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/health")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return p;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("he-backend exited: " + Files.readString(dir.resolve("he-backend.log")));
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new IllegalStateException("he-backend did not answer on port " + port);
  }

  static HeBackendServer.Options slowMachineOptions() {
    HeBackendServer.Options d = HeBackendServer.Options.defaults();
    return new HeBackendServer.Options(d.maxCiphertextBytes(), d.maxKeySetBytes(), d.maxCachedKeyBytes(),
        d.maxKeySets(), d.workers(), d.maxQueued(), 120_000);
  }

  /** Bytes on the wire: exactly what the gateway sends/receives per request and once per key set. */
  static void bytes(String name, CompiledModel cm, Dataset.Split split) {
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(cm, new SecureRandom(),
        EncryptedInference.Options.defaults());
    double[] x = new double[64];
    for (int i = 0; i < 64; i++) {
      x[i] = split.test().x()[0][i];
    }
    byte[] evk = kh.evaluationKeys();
    byte[] query = kh.encrypt(new double[][] {x});
    byte[] answer = new EncryptedInference.Evaluator(cm, evk).evaluate(query);
    System.out.printf("{\"bench\":\"he-route-bytes\",\"model\":\"%s\",\"evaluation_keys_bytes\":%d,"
        + "\"query_bytes\":%d,\"answer_bytes\":%d,\"rotations\":%d,\"batch_capacity\":%d}%n", name, evk.length,
        query.length, answer.length, cm.rotationSteps().size(), cm.batchCapacity());
  }

  /** {p50 ms, p99 ms, req/s}. */
  static double[] run(HttpClient http, String url, String apiKey, List<String> bodies, boolean he, int concurrency,
      int n) throws Exception {
    long[] lat = new long[n];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      fs.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < n) {
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(180))
              .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(bodies.get(i % bodies.size())));
          if (he) {
            b.header("X-Data-Class", "restricted");
          }
          long s = System.nanoTime();
          HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
          lat[i] = System.nanoTime() - s;
          if (r.statusCode() != 200) {
            throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
          }
        }
        return null;
      }));
    }
    try {
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long total = System.nanoTime() - t0;
    Arrays.sort(lat);
    return new double[] {lat[n / 2] / 1e6, lat[Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)] / 1e6,
        n / (total / 1e9)};
  }
}
