package dev.warden.gateway.runtime;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload of a watched policy while clients keep sending: a valid change takes effect, an invalid
 * one is refused (last good policy stays, counted on /metrics, shown at /admin/policy), and no request
 * fails along the way. Also a Kubernetes ConfigMap-style {@code ..data} symlink swap.
 */
class HotReloadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: reload}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          m: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
        routes:
          - {name: steady, match: {protocol: oip, model: steady}, tenants: [acme], allowUnsignedModel: true, backend: m}
      @EXTRA@
      """;
  private static final String NEW_ROUTE =
      "    - {name: added, match: {protocol: oip, model: added}, tenants: [acme], allowUnsignedModel: true, backend: m}";
  private static final String BROKEN_ROUTE =
      "    - {name: broken, match: {protocol: oip, model: broken}, tenants: [acme], allowUnsignedModel: true, backend: nope}";
  private static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

  @TempDir static Path dir;
  static WireMockServer backend;
  static String key;
  static Path keys;

  @BeforeAll
  static void start() throws Exception {
    backend = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
        .containerThreads(24));
    backend.start();
    backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"outputs\":[]}")));
    key = TestGateways.newApiKey();
    keys = TestGateways.keyHashes(dir, "keys.sha256", key);
  }

  @AfterAll
  static void stop() {
    backend.stop();
  }

  private static String policy(String extra) {
    return POLICY.replace("@KEYS@", keys.toString()).replace("@PORT@", Integer.toString(backend.port()))
        .replace("@EXTRA@", extra);
  }

  /** Replaces {@code file} atomically, as editors and config tools do. */
  private static void replace(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void validThenInvalidPolicy_underLoad_losesNoRequest_andKeepsTheLastGoodPolicy() throws Exception {
    Path policyDir = Files.createDirectories(dir.resolve("plain"));
    Path file = policyDir.resolve("policy.yaml");
    Files.writeString(file, policy(""));
    try (Gateway g = TestGateways.start(file, b -> b.watchPolicy(true))) {
      String base = TestGateways.url(g);
      assertEquals(404, infer(base, "added").statusCode(), "not routed before the change");

      AtomicBoolean stop = new AtomicBoolean();
      Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new java.util.ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(pool.submit(() -> {
          for (int i = 0; i < 5_000 && !stop.get(); i++) {
            try {
              int s = infer(base, "steady").statusCode();
              statuses.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet();
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        }));
      }
      try {
        Thread.sleep(300);
        replace(file, policy(NEW_ROUTE));
        awaitTrue(Duration.ofSeconds(15), () -> infer(base, "added").statusCode() == 200);
        long reloadsAfterGood = admin(g).get("reloads").asLong();
        assertTrue(reloadsAfterGood >= 2, "the valid change was loaded: " + admin(g));

        replace(file, policy(NEW_ROUTE + "\n" + BROKEN_ROUTE));
        awaitTrue(Duration.ofSeconds(15), () -> admin(g).path("reloadFailures").asLong() >= 1);
        Thread.sleep(200);
      } finally {
        stop.set(true);
        for (Future<?> f : workers) {
          f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
      }

      assertEquals(List.of(), failures, "no request may fail while the policy changes");
      assertEquals(Map.of(200, statuses.get(200).get()).keySet(), statuses.keySet(), "every status: " + statuses);
      assertTrue(statuses.get(200).get() >= 20, "the load generator ran: " + statuses);
      assertEquals(200, infer(base, "added").statusCode(), "the last good policy stays in force");
      assertEquals(404, infer(base, "broken").statusCode());
      JsonNode page = admin(g);
      assertFalse(page.at("/lastReload/ok").asBoolean(true), page.toString());
      assertTrue(page.at("/lastReload/error").asText().contains("unknown backend 'nope'"), page.toString());
      assertTrue(page.at("/lastReload/error").asText().contains(file.getFileName().toString()), page.toString());
      assertEquals(1.0, TestGateways.metric(g, "warden_policy_reload_failures_total", null));

      replace(file, policy(""));
      awaitTrue(Duration.ofSeconds(15), () -> infer(base, "added").statusCode() == 404);
      assertTrue(admin(g).at("/lastReload/ok").asBoolean(), "a valid policy after a bad one is loaded again");
    }
  }

  @Test
  void kubernetesConfigMapSymlinkSwap_isPickedUp() throws Exception {
    // The kubelet's layout: ..<timestamp>/policy.yaml, ..data -> ..<timestamp>, policy.yaml -> ..data/policy.yaml
    Path mount = Files.createDirectories(dir.resolve("configmap"));
    Path v1 = Files.createDirectories(mount.resolve("..2026_11_24_01_00_00.000000001"));
    Files.writeString(v1.resolve("policy.yaml"), policy(""));
    Files.createSymbolicLink(mount.resolve("..data"), v1.getFileName());
    Files.createSymbolicLink(mount.resolve("policy.yaml"), Path.of("..data/policy.yaml"));

    try (Gateway g = TestGateways.start(mount, b -> b.watchPolicy(true))) {
      String base = TestGateways.url(g);
      assertEquals(200, infer(base, "steady").statusCode());
      assertEquals(404, infer(base, "added").statusCode());

      Path v2 = Files.createDirectories(mount.resolve("..2026_11_24_01_05_00.000000002"));
      Files.writeString(v2.resolve("policy.yaml"), policy(NEW_ROUTE));
      Files.createSymbolicLink(mount.resolve("..data_tmp"), v2.getFileName());
      Files.move(mount.resolve("..data_tmp"), mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

      awaitTrue(Duration.ofSeconds(15), () -> infer(base, "added").statusCode() == 200);
      assertEquals(200, infer(base, "steady").statusCode());
      assertTrue(admin(g).at("/lastReload/ok").asBoolean());
    }
  }

  @Test
  void rotatingTheApiKeyHashFile_takesEffectWithoutTouchingThePolicy() throws Exception {
    Path policyDir = Files.createDirectories(dir.resolve("rotation"));
    Path keyFile = policyDir.resolve("keys.sha256");
    String oldKey = TestGateways.newApiKey();
    String newKey = TestGateways.newApiKey();
    Files.writeString(keyFile, dev.warden.gateway.auth.ApiKeyIndex.hashHex(oldKey) + "\n");
    Path file = policyDir.resolve("policy.yaml");
    Files.writeString(file, POLICY.replace("@KEYS@", keyFile.toString())
        .replace("@PORT@", Integer.toString(backend.port())).replace("@EXTRA@", ""));
    try (Gateway g = TestGateways.start(file, b -> b.watchPolicy(true))) {
      String url = TestGateways.url(g) + "/v2/models/steady/infer";
      assertEquals(200, TestGateways.postJson(url, oldKey, BODY).statusCode());
      assertEquals(401, TestGateways.postJson(url, newKey, BODY).statusCode());

      replace(keyFile, dev.warden.gateway.auth.ApiKeyIndex.hashHex(newKey) + "\n");

      awaitTrue(Duration.ofSeconds(20), () -> TestGateways.postJson(url, newKey, BODY).statusCode() == 200);
      assertEquals(401, TestGateways.postJson(url, oldKey, BODY).statusCode(), "the revoked key no longer works");
    }
  }

  private static java.net.http.HttpResponse<String> infer(String base, String model) throws Exception {
    return TestGateways.postJson(base + "/v2/models/" + model + "/infer", key, BODY);
  }

  private static JsonNode admin(Gateway g) throws Exception {
    return JSON.readTree(TestGateways.get(TestGateways.adminUrl(g) + "/admin/policy", null).body());
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void awaitTrue(Duration max, Check check) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + max);
      }
      Thread.sleep(50);
    }
  }
}
