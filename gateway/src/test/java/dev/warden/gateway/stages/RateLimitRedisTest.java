package dev.warden.gateway.stages;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.warden.crypto.dp.LocalRedis;
import dev.warden.crypto.dp.TestCerts;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits shared by replicas through a real {@code redis-server} ({@code state.store: redis}): two gateways on
 * loopback together admit exactly the bucket's burst; with Redis stopped, {@code onUnavailable} decides between
 * 503 {@code state_unavailable} and this replica's own bucket; {@code rediss://} is TLS with the host name checked.
 */
class RateLimitRedisTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: shared-limits}
      spec:
        tenants:
          - {id: acme, apiKeys: {sha256File: "@KEYS@"}}
        backends:
          m: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 5000}
        routes:
          - name: limited
            match: {protocol: oip, model: m}
            tenants: [acme]
            allowUnsignedModel: true
            rateLimit: {requestsPerSecond: 0.001, burst: 7}
            backend: m
        state: {store: redis, url: "@URL@", onUnavailable: @MODE@, dir: "@STATE@"@EXTRA@}
      """;
  private static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

  @TempDir Path dir;
  private WireMockServer backend;
  private String key;

  @BeforeEach
  void backend() {
    backend = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    backend.start();
    backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"outputs\":[]}")));
    key = TestGateways.newApiKey();
  }

  @AfterEach
  void stop() {
    backend.stop();
  }

  private Path policy(String name, String url, String mode, String extra) throws Exception {
    return TestGateways.writePolicy(dir.resolve(name), POLICY, Map.of("KEYS",
        TestGateways.keyHashes(dir, "keys.sha256", key), "PORT", backend.port(), "URL", url, "MODE", mode,
        "STATE", dir.resolve("state").toAbsolutePath(), "EXTRA", extra));
  }

  private HttpResponse<String> call(Gateway g) throws Exception {
    return TestGateways.postJson(TestGateways.url(g) + "/v2/models/m/infer", key, BODY);
  }

  @Test
  void twoGatewaysSharingOneRedis_admitExactlyTheBurstTogether() throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir, false)) {
      Path p = policy("p.yaml", "redis://127.0.0.1:" + redis.port(), "fail-closed", "");
      try (Gateway a = TestGateways.start(p); Gateway b = TestGateways.start(p)) {
        int ok = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> r = call(i % 2 == 0 ? a : b);
          if (r.statusCode() == 200) {
            ok++;
          } else {
            assertEquals(429, r.statusCode(), r.body());
            refused = r;
          }
        }
        assertEquals(7, ok, "the two replicas together admit the burst, not twice it");
        assertEquals("rate_limited", JSON.readTree(refused.body()).get("code").asText());
        long retry = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retry > 100 && retry <= 1000, "Retry-After " + retry); // one token per 1000 s
      }
    }
  }

  @Test
  void redisStopped_failClosed_is503StateUnavailable() throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir, false)) {
      Path p = policy("p.yaml", "redis://127.0.0.1:" + redis.port(), "fail-closed", "");
      try (Gateway g = TestGateways.start(p)) {
        assertEquals(200, call(g).statusCode());
        redis.kill();
        HttpResponse<String> r = call(g);
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("state_unavailable", JSON.readTree(r.body()).get("code").asText());
        assertTrue(TestGateways.metric(g, "warden_state_unavailable_total", "part=\"rate-limit\"") >= 1);
      }
    }
  }

  @Test
  void redisStopped_failOpen_fallsBackToThisReplicasOwnBucket_andCountsIt() throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir, false)) {
      Path p = policy("p.yaml", "redis://127.0.0.1:" + redis.port(), "fail-open", "");
      try (Gateway g = TestGateways.start(p)) {
        for (int i = 0; i < 5; i++) {
          assertEquals(200, call(g).statusCode(), "taken from the shared bucket");
        }
        redis.kill();
        int ok = 0;
        for (int i = 0; i < 10; i++) {
          int s = call(g).statusCode();
          assertTrue(s == 200 || s == 429, "status " + s);
          ok += s == 200 ? 1 : 0;
        }
        assertEquals(7, ok, "the local bucket (full, never used) admits its own burst");
        assertTrue(TestGateways.metric(g, "warden_state_unavailable_total", "part=\"rate-limit\"") >= 10);
      }
    }
  }

  @Test
  void overRediss_theBucketIsShared_andAServerNameNotInTheCertificateIsRefused() throws Exception {
    TestCerts certs = TestCerts.write(Files.createDirectories(dir.resolve("tls")));
    try (LocalRedis redis = LocalRedis.startTls(dir, certs)) {
      String ca = ", caFile: \"" + certs.ca() + "\"";
      Path good = policy("good.yaml", "rediss://localhost:" + redis.port(), "fail-closed", ca);
      Path byIp = policy("ip.yaml", "rediss://127.0.0.1:" + redis.port(), "fail-closed", ca);
      try (Gateway a = TestGateways.start(good); Gateway b = TestGateways.start(good); Gateway c = TestGateways.start(byIp)) {
        int ok = 0;
        for (int i = 0; i < 12; i++) {
          ok += call(i % 2 == 0 ? a : b).statusCode() == 200 ? 1 : 0;
        }
        assertEquals(7, ok);
        HttpResponse<String> r = call(c);
        assertEquals(503, r.statusCode(), "the certificate names localhost only: " + r.body());
        assertEquals("state_unavailable", JSON.readTree(r.body()).get("code").asText());
      }
    }
  }
}
