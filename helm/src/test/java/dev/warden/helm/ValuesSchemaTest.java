package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad values fail loudly, with the schema's message naming the key. */
class ValuesSchemaTest {
  private static void assertRefused(String values, String... expected) {
    String message = Chart.renderFailure(values);
    assertTrue(message.contains("values don't meet the specifications of the schema"), message);
    for (String e : expected) {
      assertTrue(message.contains(e), "expected <" + e + "> in:\n" + message);
    }
  }

  @Test
  void misspeltKey_isRefused() {
    assertRefused("replicaCont: 2\n", "Additional property replicaCont is not allowed");
  }

  @Test
  void misspeltNestedKey_isRefused() {
    assertRefused("networkPolicy:\n  egres: {}\n", "networkPolicy: Additional property egres is not allowed");
    assertRefused("secrets:\n  apiKeyHashes: {existingSecretName: x}\n", "Additional property existingSecretName is not allowed");
  }

  @Test
  void wrongType_isRefused() {
    assertRefused("replicaCount: many\n", "replicaCount: Invalid type. Expected: integer, given: string");
    assertRefused("networkPolicy: {enabled: \"yes\"}\n", "networkPolicy.enabled: Invalid type. Expected: boolean, given: string");
  }

  @Test
  void unknownMode_isRefused() {
    assertRefused("mode: bogus\n", "mode: mode must be one of the following: \"standalone\", \"sidecar\"");
  }

  @Test
  void severalReplicasWithEmbeddedState_needTheAcknowledgement() {
    assertRefused("replicaCount: 3\n", "state.embedded.acknowledgePerReplicaState does not match: true");
    assertRefused(
        "autoscaling: {enabled: true, maxReplicas: 4}\n", "state.embedded.acknowledgePerReplicaState does not match: true");
    // explicitly accepted, or shared state in Redis: accepted
    assertEquals(3, Chart.render("replicaCount: 3\nstate: {embedded: {acknowledgePerReplicaState: true}}\n")
        .one("Deployment", "rel-warden").path("spec").path("replicas").asInt());
    assertEquals(3, Chart.render("replicaCount: 3\nstate: {store: redis, redis: {url: \"redis://redis:6379\", existingSecret: rp}}\n")
        .one("Deployment", "rel-warden").path("spec").path("replicas").asInt());
  }

  @Test
  void aPolicyFileWithEmbeddedState_isRefusedForSeveralReplicas() {
    String message = Chart.renderFailure("replicaCount: 2\nstate: {store: redis, redis: {url: \"redis://r:6379\", existingSecret: rp}}\n"
        + "policy:\n  files:\n    p.yaml: |\n      spec:\n        state: {store: embedded, dir: /var/lib/warden}\n");
    assertTrue(message.contains("policy.files.p.yaml uses state store embedded while more than one replica runs"), message);
  }

  @Test
  void redisStore_needsAUrlWithoutCredentials_andAPasswordSecret() {
    assertRefused("state: {store: redis}\n", "state.redis.url", "state.redis.existingSecret");
    assertRefused("state: {store: redis, redis: {url: \"redis://:hunter2@redis:6379\"}}\n", "state.redis.url: Does not match pattern");
  }

  @Test
  void inlineSecretValues_haveNoPlaceInTheValues() {
    assertRefused("secrets:\n  tls: {existingSecret: t, key: \"-----BEGIN PRIVATE KEY-----\"}\n", "Additional property key is not allowed");
    assertRefused("state:\n  redis: {password: hunter2}\n", "Additional property password is not allowed");
  }

  @Test
  void podLabels_cannotOverrideTheSelectorLabels() {
    assertRefused("podLabels: {app.kubernetes.io/component: x}\n", "podLabels");
    assertEquals("b", Chart.render("podLabels: {team: b}\n").one("Deployment", "rel-warden")
        .path("spec").path("template").path("metadata").path("labels").path("team").asText());
  }

  @Test
  void sidecarMode_needsTheModelFiles() {
    assertRefused("mode: sidecar\n", "sidecar.models");
  }

  @Test
  void everyObjectInTheSchema_refusesUnknownKeys() throws IOException {
    JsonNode schema = new ObjectMapper().readTree(Chart.chartDir().resolve("values.schema.json").toFile());
    List<String> open = new ArrayList<>();
    walk(schema, "", open);
    assertTrue(open.isEmpty(), "objects with properties but no additionalProperties:false: " + open);
    assertEquals(false, schema.path("additionalProperties").asBoolean(true));
  }

  private static void walk(JsonNode node, String path, List<String> open) {
    if (node.isObject()) {
      if (node.has("properties") && !path.endsWith("/if") && !path.contains("/if/") && !path.contains("/then")
          && !path.contains("/anyOf")) {
        JsonNode ap = node.get("additionalProperties");
        if (ap == null || !ap.isBoolean() || ap.asBoolean()) {
          open.add(path.isEmpty() ? "/" : path);
        }
      }
      node.fields().forEachRemaining(e -> walk(e.getValue(), path + "/" + e.getKey(), open));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "/" + i, open);
      }
    }
  }

  @Test
  void theSchemaWalk_findsAnOpenObject() {
    // The walk above can fail: a schema with an object lacking additionalProperties:false is reported.
    List<String> open = new ArrayList<>();
    walk(Chart.YAML.createObjectNode().set("properties",
        Chart.YAML.createObjectNode().set("x", Chart.YAML.createObjectNode().set("properties", Chart.YAML.createObjectNode()))),
        "", open);
    assertFalse(open.isEmpty());
  }
}
