package dev.warden.gateway.screening;

import static dev.warden.gateway.privacy.DigitsBackend.JSON;
import static dev.warden.gateway.privacy.DigitsBackend.oipRequest;
import static dev.warden.gateway.privacy.DigitsBackend.testRow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.crypto.dp.LocalRedis;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import dev.warden.gateway.privacy.DigitsBackend;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state.store: redis} wires the query-attack screen to the shared Redis store: two gateways on loopback
 * (two replicas) share one Redis, and a query repeated through the other replica by another account is blocked.
 */
class ScreeningRedisTest {
  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: screening-redis}
      spec:
        tenants:
          - {id: alice, apiKeys: {sha256File: "@ALICE@"}}
          - {id: mallory, apiKeys: {sha256File: "@MALLORY@"}}
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
        routes:
          - name: block
            match: {protocol: oip, model: block}
            tenants: ["*"]
            allowUnsignedModel: true
            screening: [{type: query-attack-store, action: block, timeoutMs: 5000}]
            backend: digits
        state: {store: redis, url: "redis://127.0.0.1:@REDIS@", dir: "@STATE@"}
      """;

  @TempDir Path dir;

  @Test
  void queryRepeatedThroughTheOtherReplica_byAnotherAccount_isBlocked() throws Exception {
    try (LocalRedis redis = LocalRedis.start(dir, false); DigitsBackend backend = DigitsBackend.start(dir, "block")) {
      String alice = TestGateways.newApiKey();
      String mallory = TestGateways.newApiKey();
      Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
          "ALICE", TestGateways.keyHashes(dir, "alice.sha256", alice),
          "MALLORY", TestGateways.keyHashes(dir, "mallory.sha256", mallory), "PORT", backend.port(),
          "REDIS", redis.port(), "STATE", dir.resolve("state").toAbsolutePath()));
      try (Gateway a = TestGateways.start(policy); Gateway b = TestGateways.start(policy)) {
        String pathA = TestGateways.url(a) + "/v2/models/block/infer";
        String pathB = TestGateways.url(b) + "/v2/models/block/infer";
        assertEquals(200, TestGateways.postJson(pathA, alice, oipRequest(testRow(3))).statusCode());
        assertEquals(200, TestGateways.postJson(pathB, alice, oipRequest(testRow(40))).statusCode(),
            "a distinct digit passes");
        HttpResponse<String> r = TestGateways.postJson(pathB, mallory, oipRequest(testRow(3)));
        assertEquals(403, r.statusCode(), r.body());
        assertEquals("input_rejected", JSON.readTree(r.body()).get("code").asText());
      }
    }
  }
}
