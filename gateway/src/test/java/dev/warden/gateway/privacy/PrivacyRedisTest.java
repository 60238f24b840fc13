package dev.warden.gateway.privacy;

import static dev.warden.gateway.privacy.DigitsBackend.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.crypto.dp.LocalRedis;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy stage with the Redis ledger ({@code state.store: redis}) against a real {@code redis-server}
 * started on loopback: the budget is enforced through the gateway exactly at the cap, and with Redis gone
 * the stage refuses with 503 {@code privacy_ledger_unavailable}: fail closed, even under the policy's
 * {@code onUnavailable: fail-open} (which governs rate limits only). Skips without
 * {@code redis-server} locally (install: {@code apt-get install -y redis-server}); never with CI=true.
 */
class PrivacyRedisTest {
  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: privacy-redis}
      spec:
        tenants:
          - {id: acme, apiKeys: {sha256File: "@KEYS@"}}
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
        routes:
          - name: private
            match: {protocol: oip, model: digits}
            tenants: [acme]
            allowUnsignedModel: true
            privacy: {mechanism: gaussian, outputKind: probabilities, dimension: 10, rhoPerQuery: 0.002,
                      budget: {epsilon: 1.0, delta: 1.0e-6, globalEpsilon: 10}}
            backend: digits
        state: {store: redis, url: "redis://127.0.0.1:@REDIS@", dir: "@STATE@", onUnavailable: fail-open}
      """;

  @TempDir Path dir;

  @Test
  void budgetIsEnforcedThroughRedis_andRedisDownIs503_evenUnderFailOpen() throws Exception {
    // LocalRedis: a free port, retried when another server takes it before redis-server binds it; skips
    // without redis-server locally, fails with CI=true
    LocalRedis redis = LocalRedis.start(dir, false);
    int redisPort = redis.port();
    Gateway gateway = null;
    try (DigitsBackend backend = DigitsBackend.start(dir, "digits")) {
      String key = TestGateways.newApiKey();
      Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
          "KEYS", TestGateways.keyHashes(dir, "keys.sha256", key), "PORT", backend.port(), "REDIS", redisPort,
          "STATE", dir.resolve("state").toAbsolutePath()));
      gateway = TestGateways.start(policy);
      String url = TestGateways.url(gateway) + "/v2/models/digits/infer";
      PrivacyBudget budget = PrivacyBudget.ofEpsilonDelta(1.0, 1e-6);
      PrivacyCost cost = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, 0.002)).cost();
      long expected = budget.releasesRemaining(0, cost);

      int answered = 0;
      HttpResponse<String> refused = null;
      for (int i = 0; i < expected + 3 && refused == null; i++) {
        HttpResponse<String> r = TestGateways.postJson(url, key, DigitsBackend.oipRequest(DigitsBackend.testRow(i)));
        if (r.statusCode() == 200) {
          answered++;
          assertEquals(String.format(Locale.ROOT, "%.6f", budget.epsilonSpent(answered * cost.micros())),
              r.headers().firstValue(PrivacyStage.SPENT).orElse(null));
        } else {
          refused = r;
        }
      }
      assertEquals(expected, answered, "answers before the cap");
      assertEquals(429, refused.statusCode(), refused.body());
      assertEquals("privacy_budget_exhausted", JSON.readTree(refused.body()).get("code").asText());
      assertEquals(Long.toString(answered * cost.micros()), redisSpent(redisPort),
          "Redis holds exactly the answered releases");

      redis.close();
      HttpResponse<String> down = TestGateways.postJson(url, key, DigitsBackend.oipRequest(DigitsBackend.testRow(200)));
      assertEquals(503, down.statusCode(), down.body());
      assertEquals("privacy_ledger_unavailable", JSON.readTree(down.body()).get("code").asText());
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      redis.close();
    }
  }

  /** The tenant counter ({@code <prefix>:{digits}:p<period>:t:acme}, see RedisPrivacyLedger), via RESP. */
  private static String redisSpent(int port) throws IOException {
    List<String> keys = command(port, "KEYS", "*:t:acme");
    assertEquals(1, keys.size(), "one tenant counter: " + keys);
    return command(port, "GET", keys.get(0)).get(0);
  }

  /** Sends one RESP command, returns the reply's strings (simple, bulk, or an array of bulk strings). */
  private static List<String> command(int port, String... args) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      String first = line(in);
      switch (first.charAt(0)) {
        case '+', ':' -> {
          return List.of(first.substring(1));
        }
        case '$' -> {
          return List.of(bulk(in, Integer.parseInt(first.substring(1))));
        }
        case '*' -> {
          int n = Integer.parseInt(first.substring(1));
          java.util.ArrayList<String> items = new java.util.ArrayList<>();
          for (int i = 0; i < n; i++) {
            String h = line(in);
            items.add(h.charAt(0) == '$' ? bulk(in, Integer.parseInt(h.substring(1))) : h.substring(1));
          }
          return items;
        }
        default -> throw new IOException("redis: " + first);
      }
    }
  }

  private static String bulk(InputStream in, int len) throws IOException {
    if (len < 0) {
      return "";
    }
    byte[] b = in.readNBytes(len + 2);
    return new String(b, 0, len, StandardCharsets.UTF_8);
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\r') {
        in.read();
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }
}
