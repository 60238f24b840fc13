package dev.warden.bench.dp;

import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.auth.ApiKeyIndex;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What the privacy stage adds to a request through the gateway: a real {@link Gateway} on loopback with
 * two routes to the same trivial in-process Vert.x backend (it answers every OIP infer with the same
 * 10-class probability vector, so the backend costs next to nothing and the gateway's work dominates):
 * {@code plain} without {@code privacy:}, {@code private} with a Gaussian mechanism on the probabilities,
 * a budget far from its cap, and the embedded journal ledger in a real temporary directory (fsync'd by
 * its flusher thread, overlapped with the backend call, awaited before the answer leaves).
 *
 * <p>One client connection, sequential requests, one benchmark thread; each request carries a fresh input
 * (a counter in the first pixel), so the noisy-answer cache never answers and every private request pays a
 * real reservation, noise and rewrite. Each invocation sends one request to each route ({@link #pair}); the
 * difference is the stage's added latency (including the response decode/re-encode the stage needs, and the wait for the fsync when it is slower than the backend: with {@code backendDelayMs = 0}
 * it always is; with 5 ms it is hidden behind the model call).
 *
 * <p>Run: {@code bench/dp.sh} or
 * {@code java -jar bench/target/benchmarks.jar PrivacyGatewayBenchmark -f1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
public class PrivacyGatewayBenchmark {
  private static final String ANSWER = "{\"model_name\":\"m\",\"outputs\":[{\"name\":\"probabilities\","
      + "\"datatype\":\"FP32\",\"shape\":[1,10],\"data\":[0.55,0.2,0.1,0.05,0.04,0.03,0.01,0.01,0.005,0.005]}]}";
  private static final String PIXELS;

  static {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < 64; i++) {
      b.append(',').append(i % 17);
    }
    PIXELS = b.toString();
  }

  /**
   * How long the backend "computes": 0 (the fsync cannot hide behind the model call, so its latency shows in
   * full) or 5 ms (a small real model; the fsync overlaps it and only the stage's own work is added).
   */
  @Param({"0", "5"})
  public int backendDelayMs;

  /**
   * Where the journal lives: {@code disk} (a temporary directory on the machine's disk: the real fsync) or
   * {@code tmpfs} ({@code /dev/shm}, where fsync costs nothing: what remains is the stage's own work and its
   * thread hand-offs, separated from the disk's fsync latency).
   */
  @Param({"disk", "tmpfs"})
  public String journalOn;

  /**
   * Pairs sent before JMH's own warm-up with the backend answering at once, so that the gateway's code is
   * compiled by C2 for both delays. Without it a 5 ms backend lets only ~1,000 requests through warm-up and
   * measurement: the privacy path then runs in C1/interpreted code and adds ~0.75 ms instead of ~0.1 ms (the
   * "5 ms anomaly" of the first figures). 0 reproduces that.
   */
  @Param({"10000"})
  public int warmPairs;

  private volatile boolean warming;

  private Path dir;
  private Vertx vertx;
  private HttpServer backend;
  private Gateway gateway;
  private HttpClient client;
  private String auth;
  private long counter;
  private long pairs;
  private boolean recording;
  private final java.util.List<Long> plainNs = new java.util.ArrayList<>();
  private final java.util.List<Long> privateNs = new java.util.ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = journalOn.equals("tmpfs") ? Files.createTempDirectory(Path.of("/dev/shm"), "warden-dp-gateway-bench")
        : Files.createTempDirectory("warden-dp-gateway-bench");
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Buffer answer = Buffer.buffer(ANSWER);
    backend = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
      if (backendDelayMs == 0 || warming) {
        req.response().putHeader("Content-Type", "application/json").end(answer);
      } else {
        vertx.setTimer(backendDelayMs, t -> req.response().putHeader("Content-Type", "application/json").end(answer));
      }
    })).listen(0, "127.0.0.1").await();
    String apiKey = "wdn_bench_" + Long.toHexString(new SecureRandom().nextLong());
    Files.writeString(dir.resolve("keys.sha256"), ApiKeyIndex.hashHex(apiKey) + "\n");
    auth = "Bearer " + apiKey;
    String policy = String.join("\n",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: dp-gateway-bench}",
        "spec:",
        "  tenants:",
        "    - {id: bench, apiKeys: {sha256File: \"" + dir.resolve("keys.sha256") + "\"}}",
        "  backends:",
        "    trivial: {url: \"http://127.0.0.1:" + backend.actualPort() + "\", protocol: oip, timeoutMs: 10000}",
        "  routes:",
        "    - name: plain",
        "      match: {protocol: oip, model: plain}",
        "      tenants: [bench]",
        "      allowUnsignedModel: true",
        "      backend: trivial",
        "    - name: private",
        "      match: {protocol: oip, model: private}",
        "      tenants: [bench]",
        "      allowUnsignedModel: true",
        "      privacy: {mechanism: gaussian, outputKind: probabilities, dimension: 10, rhoPerQuery: 0.002,",
        "                budget: {epsilon: 1000000, delta: 1.0e-6, globalEpsilon: 10000000}}",
        "      backend: trivial",
        "  state: {store: embedded, dir: \"" + dir.resolve("state") + "\"}",
        "");
    Path policyFile = dir.resolve("policy.yaml");
    Files.writeString(policyFile, policy);
    gateway = StandardCapabilities.install(Gateway.builder()).policy(policyFile)
        .listen("127.0.0.1", 0).admin("127.0.0.1", 0).eventLoops(1).watchPolicy(false).build();
    gateway.start().await();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (gateway.notReadyReason() != null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
        .setDefaultHost("127.0.0.1").setDefaultPort(gateway.port()), new PoolOptions().setHttp1MaxSize(1));
    for (String m : new String[] {"plain", "private"}) {
      String body = infer(m);
      if (!body.contains("probabilities")) {
        throw new IllegalStateException(m + " answered " + body);
      }
    }
    warming = true;
    for (int i = 0; i < warmPairs; i++) {
      infer("plain");
      infer("private");
    }
    warming = false;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    report();
    client.close().await();
    gateway.close();
    backend.close().await();
    vertx.close().await();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private String infer(String model) throws Exception {
    String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":["
        + (counter++) + PIXELS + "]}]}";
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setURI("/v2/models/" + model + "/infer")
        .putHeader("Authorization", auth).putHeader("Content-Type", "application/json");
    return client.request(o).compose(r -> r.send(body).compose(resp -> {
      if (resp.statusCode() != 200) {
        return resp.body().map(b -> {
          throw new IllegalStateException(model + ": " + resp.statusCode() + " " + b);
        });
      }
      return resp.body();
    })).map(Buffer::toString).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * One plain and one private request back to back (order alternating), each timed by itself; during
   * measurement iterations the two latencies are kept, and the trial's tear-down prints their percentiles and
   * the median of the per-pair difference as a JSON line. Pairing makes the comparison fair on a machine
   * whose load changes from second to second: both requests of a pair see the same moment.
   */
  @Benchmark
  @Threads(1)
  public long pair() throws Exception {
    boolean plainFirst = (pairs++ & 1) == 0;
    long a = timed(plainFirst ? "plain" : "private");
    long b = timed(plainFirst ? "private" : "plain");
    if (recording) {
      plainNs.add(plainFirst ? a : b);
      privateNs.add(plainFirst ? b : a);
    }
    return a + b;
  }

  private long timed(String model) throws Exception {
    long t0 = System.nanoTime();
    infer(model);
    return System.nanoTime() - t0;
  }

  @Setup(Level.Iteration)
  public void iteration(IterationParams p) {
    recording = p.getType() == IterationType.MEASUREMENT;
  }

  /** Prints {@code {"bench":"privacy-gateway", ...}} with p50/p99 of each route and the paired added latency. */
  private void report() {
    int n = plainNs.size();
    long[] plain = plainNs.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] priv = privateNs.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] diff = new long[n];
    for (int i = 0; i < n; i++) {
      diff[i] = privateNs.get(i) - plainNs.get(i);
    }
    java.util.Arrays.sort(diff);
    System.out.printf(java.util.Locale.ROOT, "%n{\"bench\":\"privacy-gateway\",\"journalOn\":\"%s\",\"backendDelayMs\":%d,\"pairs\":%d,"
        + "\"plain_p50_us\":%.1f,\"plain_p99_us\":%.1f,\"private_p50_us\":%.1f,\"private_p99_us\":%.1f,"
        + "\"added_p50_us\":%.1f,\"added_p99_us\":%.1f,\"paired_added_median_us\":%.1f}%n",
        journalOn, backendDelayMs, n, pct(plain, 50), pct(plain, 99), pct(priv, 50), pct(priv, 99),
        pct(priv, 50) - pct(plain, 50), pct(priv, 99) - pct(plain, 99), pct(diff, 50));
  }

  private static double pct(long[] sorted, int p) {
    return sorted.length == 0 ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)] / 1e3;
  }
}
