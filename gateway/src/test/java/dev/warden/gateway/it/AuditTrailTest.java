package dev.warden.gateway.it;

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
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.audit.AuditVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own audit records (the audit package is tested on its own elsewhere): one record per
 * request with tenant, route, status and code; the chain verifies; editing or reordering any one
 * gateway record is detected at that line.
 */
class AuditTrailTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: audited}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
          - id: other
            apiKeys: {sha256File: "@OTHER@"}
        backends:
          m: {url: "http://127.0.0.1:@PORT@", protocol: oip}
        routes:
          - {name: infer, match: {protocol: oip, model: m}, tenants: [acme], allowUnsignedModel: true, backend: m}
        audit: {file: "@LOG@", signingKey: "@SIGNING@", checkpointEvery: 3}
      """;
  private static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

  @TempDir Path dir;

  @Test
  void everyRequestIsRecorded_theChainVerifies_andAnyEditedOrReorderedRecordIsFound() throws Exception {
    WireMockServer backend = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    backend.start();
    backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("{\"outputs\":[]}")));
    KeyPair signing = AuditKeys.generate();
    AuditKeys.writePrivateKey(dir.resolve("audit.pem"), signing.getPrivate());
    Path log = dir.resolve("audit.jsonl");
    String key = TestGateways.newApiKey();
    String other = TestGateways.newApiKey();
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "KEYS", TestGateways.keyHashes(dir, "k.sha256", key), "OTHER", TestGateways.keyHashes(dir, "o.sha256", other),
        "PORT", backend.port(), "LOG", log, "SIGNING", dir.resolve("audit.pem")));
    List<Integer> sent = new ArrayList<>();
    try (Gateway g = TestGateways.start(policy)) {
      String url = TestGateways.url(g) + "/v2/models/m/infer";
      sent.add(TestGateways.postJson(url, key, BODY).statusCode());
      sent.add(TestGateways.postJson(url, null, BODY).statusCode());
      sent.add(TestGateways.postJson(url, other, BODY).statusCode());
      sent.add(TestGateways.postJson(TestGateways.url(g) + "/v2/models/nope/infer", key, BODY).statusCode());
      sent.add(TestGateways.postJson(url, key, "{\"inputs\":[]}").statusCode());
      sent.add(TestGateways.postJson(url, key, BODY).statusCode());
    } finally {
      backend.stop();
    }
    assertEquals(List.of(200, 401, 403, 404, 422, 200), sent);

    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    List<JsonNode> records = new ArrayList<>();
    List<Integer> recordLines = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      JsonNode n = JSON.readTree(lines.get(i));
      if ("record".equals(n.path("type").asText())) {
        records.add(n);
        recordLines.add(i);
      }
    }
    assertEquals(sent.size(), records.size(), "one record per request:\n" + String.join("\n", lines));
    assertEquals(sent, records.stream().map(r -> r.get("status").asInt()).toList());
    assertEquals("acme", records.get(0).get("tenant").asText());
    assertEquals("infer", records.get(0).get("route").asText());
    assertEquals("m", records.get(0).get("model").asText());
    assertEquals("unauthenticated", records.get(1).get("code").asText());
    assertTrue(records.get(1).get("tenant").isNull());
    assertEquals("other", records.get(2).get("tenant").asText());
    assertEquals("forbidden", records.get(2).get("code").asText());
    assertEquals("model_not_found", records.get(3).get("code").asText());
    assertEquals("malformed_input", records.get(4).get("code").asText());
    assertFalse(records.get(0).get("requestId").asText().isEmpty());

    AuditVerifier.Result ok = AuditVerifier.verify(log, signing.getPublic(), true);
    assertTrue(ok.ok(), ok.reason());
    assertTrue(ok.checkpoints() >= 2, "checkpoints every 3 records plus the final one");

    Path copy = dir.resolve("tampered.jsonl");
    for (int i = 0; i < recordLines.size(); i++) {
      int at = recordLines.get(i);
      List<String> edited = new ArrayList<>(lines);
      edited.set(at, edited.get(at).replace("\"status\":" + sent.get(i), "\"status\":" + (sent.get(i) == 200 ? 201 : 200)));
      Files.write(copy, edited, StandardCharsets.UTF_8);
      AuditVerifier.Result r = AuditVerifier.verify(copy, signing.getPublic(), true);
      assertFalse(r.ok(), "editing record " + i + " must be detected");
      assertEquals(at + 1, r.badLine(), r.reason());
    }
    List<String> swapped = new ArrayList<>(lines);
    Collections.swap(swapped, recordLines.get(0), recordLines.get(1));
    Files.write(copy, swapped, StandardCharsets.UTF_8);
    assertFalse(AuditVerifier.verify(copy, signing.getPublic(), true).ok(), "reordering must be detected");
  }
}
