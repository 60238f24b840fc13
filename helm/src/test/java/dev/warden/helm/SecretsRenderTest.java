package dev.warden.helm;

import static dev.warden.helm.Chart.byName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Secrets come only as references to existing Secrets, mounted read-only as files. */
class SecretsRenderTest {
  /** values key -> (existing Secret name, where the chart mounts it). */
  private static final Map<String, String[]> SECRETS = new LinkedHashMap<>();

  static {
    SECRETS.put("apiKeyHashes", new String[] {"acme-api-keys", "/etc/warden/secrets/api-keys"});
    SECRETS.put("jwt", new String[] {"idp-jwks", "/etc/warden/secrets/jwt"});
    SECRETS.put("tls", new String[] {"warden-tls", "/etc/warden/tls"});
    SECRETS.put("clientCA", new String[] {"partner-ca", "/etc/warden/client-ca"});
    SECRETS.put("modelSigning", new String[] {"model-signers", "/etc/warden/trust/signing"});
    SECRETS.put("sigstoreTrustedRoot", new String[] {"sigstore-root", "/etc/warden/trust/sigstore"});
    SECRETS.put("auditSigningKey", new String[] {"audit-key", "/etc/warden/secrets/audit"});
    SECRETS.put("heKeyStoreKey", new String[] {"he-keystore-key", "/etc/warden/secrets/he-keystore"});
    SECRETS.put("heBackendToken", new String[] {"he-backend-token", "/etc/warden/secrets/he-backend"});
  }

  /** Things that must never appear in a ConfigMap or an env value. */
  private static final Pattern SECRET_MATERIAL =
      Pattern.compile("-----BEGIN|PRIVATE KEY|://[^/\\s@]*:[^/\\s@]*@|(?i)password\\s*[:=]\\s*\\S");

  private static String allSecrets(String extra) {
    StringBuilder values = new StringBuilder("secrets:\n");
    SECRETS.forEach((key, v) -> values.append("  ").append(key).append(": {existingSecret: ").append(v[0]).append("}\n"));
    return values + extra;
  }

  @Test
  void existingSecrets_areMountedReadOnly_atTheirPaths() {
    for (String mode : new String[] {"mode: standalone\n", "mode: sidecar\nsidecar: {nativeSidecar: true, models: {existingClaim: m}}\n"}) {
      Chart.Manifests m = Chart.render(allSecrets(mode));
      JsonNode pod = m.one("Deployment", "rel-warden").path("spec").path("template").path("spec");
      JsonNode warden = Chart.container(pod.path("containers"), "warden");
      if (warden == null) {
        warden = byName(pod.path("initContainers"), "warden");
      }
      for (Map.Entry<String, String[]> e : SECRETS.entrySet()) {
        String volumeName = "secret-" + e.getKey().toLowerCase(java.util.Locale.ROOT);
        JsonNode volume = byName(pod.path("volumes"), volumeName);
        assertEquals(e.getValue()[0], volume.path("secret").path("secretName").asText(), e.getKey());
        assertEquals(0440, volume.path("secret").path("defaultMode").asInt(), e.getKey() + " mode 0440");
        JsonNode mount = byName(warden.path("volumeMounts"), volumeName);
        assertEquals(e.getValue()[1], mount.path("mountPath").asText(), e.getKey());
        assertTrue(mount.path("readOnly").asBoolean(), e.getKey() + " read-only");
      }
      assertNoSecretInConfigMapsOrEnv(m);
    }
  }

  @Test
  void unsetSecrets_areNotMounted() {
    JsonNode pod = Chart.render("").one("Deployment", "rel-warden").path("spec").path("template").path("spec");
    for (JsonNode v : pod.path("volumes")) {
      assertFalse(v.has("secret"), "no secret volume without a reference: " + v);
    }
  }

  @Test
  void everyRendering_keepsSecretsOutOfConfigMapsAndEnv() {
    for (String values :
        new String[] {
          "",
          allSecrets("state: {store: redis, redis: {url: \"rediss://redis:6380/0\", existingSecret: redis-pass}}\n"
              + "replicaCount: 2\nheBackend: {enabled: true, models: {existingClaim: he}}\n"),
          allSecrets("mode: sidecar\nsidecar: {models: {existingClaim: m}}\nnetworkPolicy: {enabled: true}\n"),
        }) {
      assertNoSecretInConfigMapsOrEnv(Chart.render(values));
    }
  }

  @Test
  void theGuardItself_catchesSecretMaterial() {
    // The check above can fail: a policy file carrying a private key is flagged.
    Chart.Manifests m =
        Chart.render("policy:\n  files:\n    bad.yaml: |\n      key: \"-----BEGIN PRIVATE KEY-----\"\n");
    assertThrowsAssertion(() -> assertNoSecretInConfigMapsOrEnv(m));
  }

  static void assertNoSecretInConfigMapsOrEnv(Chart.Manifests m) {
    assertTrue(m.ofKind("Secret").isEmpty(), "the chart renders no Secret");
    for (JsonNode cm : m.ofKind("ConfigMap")) {
      cm.path("data").fields().forEachRemaining(e ->
          assertFalse(SECRET_MATERIAL.matcher(e.getValue().asText()).find(),
              "secret material in ConfigMap " + cm.path("metadata").path("name").asText() + " key " + e.getKey()));
    }
    for (JsonNode pod : m.podSpecs()) {
      for (JsonNode c : Chart.allContainers(pod)) {
        assertTrue(c.path("envFrom").isMissingNode(), "no envFrom in " + c.path("name").asText());
        for (JsonNode env : c.path("env")) {
          assertTrue(env.path("valueFrom").path("secretKeyRef").isMissingNode(),
              "secrets are files, never env: " + env);
          assertFalse(SECRET_MATERIAL.matcher(env.path("value").asText("")).find(), "secret material in env " + env);
        }
      }
    }
  }

  private static void assertThrowsAssertion(Runnable r) {
    try {
      r.run();
    } catch (AssertionError expected) {
      return;
    }
    throw new AssertionError("the secret-material guard did not fire");
  }
}
