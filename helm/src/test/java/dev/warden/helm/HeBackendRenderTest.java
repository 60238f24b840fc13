package dev.warden.helm;

import static dev.warden.helm.Chart.assertSelects;
import static dev.warden.helm.Chart.byName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeBackendRenderTest {
  private static final String HE = "heBackend:\n  enabled: true\n  models: {existingClaim: he-models}\n"
      + "secrets:\n  modelSigning: {existingSecret: signers}\n  heBackendToken: {existingSecret: he-token}\n";

  @Test
  void heBackend_isASeparateDeploymentAndService_servingItsModelsDirectory() {
    Chart.Manifests m = Chart.render(HE);
    JsonNode deployment = m.one("Deployment", "rel-warden-he-backend");
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    PodSecurity.assertRestricted(pod);
    JsonNode he = byName(pod.path("containers"), "he-backend");
    PodSecurity.assertWardenContainer(he);
    assertEquals(List.of("he-backend", "--models", "/models/he", "--port", "8600", "--host", "0.0.0.0", "--public-key",
        "/etc/warden/trust/signing/model-signing.pub.pem", "--token-file", "/etc/warden/secrets/he-backend/token"),
        StandaloneRenderTest.textList(he.path("args")));
    assertEquals("he-token", byName(pod.path("volumes"), "he-backend-token").path("secret").path("secretName").asText());
    assertEquals("signers", byName(pod.path("volumes"), "model-signing").path("secret").path("secretName").asText());
    assertTrue(byName(he.path("volumeMounts"), "he-backend-token").path("readOnly").asBoolean());
    JsonNode mount = byName(he.path("volumeMounts"), "he-models");
    assertTrue(mount.path("readOnly").asBoolean());
    assertEquals("he-models", byName(pod.path("volumes"), "he-models").path("persistentVolumeClaim").path("claimName").asText());

    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels, "HE Deployment");
    JsonNode service = m.one("Service", "rel-warden-he-backend");
    assertSelects(service.path("spec").path("selector"), podLabels, "HE Service");
    assertEquals("he", service.path("spec").path("ports").get(0).path("targetPort").asText());

    JsonNode gatewayLabels = m.one("Deployment", "rel-warden").path("spec").path("template").path("metadata").path("labels");
    assertFalse(Chart.selects(service.path("spec").path("selector"), gatewayLabels), "HE Service must not select the gateway");
    assertFalse(Chart.selects(m.one("Service", "rel-warden").path("spec").path("selector"), podLabels),
        "the gateway Service must not select HE pods");
  }

  @Test
  void gateway_isToldTheHeBackendsAddress() {
    JsonNode warden = byName(Chart.render(HE).one("Deployment", "rel-warden")
        .path("spec").path("template").path("spec").path("containers"), "warden");
    assertEquals("http://rel-warden-he-backend:8600", Chart.envValue(warden, "WARDEN_HE_BACKEND_URL"));
    assertEquals("/etc/warden/secrets/he-backend/token", Chart.envValue(warden, "WARDEN_HE_BACKEND_TOKEN_FILE"));
    assertTrue(byName(warden.path("volumeMounts"), "secret-hebackendtoken").path("readOnly").asBoolean(),
        "the gateway mounts the token it presents");
  }

  @Test
  void heBackend_withoutItsCallersTokenOrTheSigningKey_isRefused() {
    String noToken = "heBackend:\n  enabled: true\n  models: {existingClaim: he-models}\n"
        + "secrets:\n  modelSigning: {existingSecret: signers}\n";
    assertTrue(Chart.renderFailure(noToken).contains("heBackendToken"), Chart.renderFailure(noToken));
    String noSigner = "heBackend:\n  enabled: true\n  models: {existingClaim: he-models}\n"
        + "secrets:\n  heBackendToken: {existingSecret: he-token}\n";
    assertTrue(Chart.renderFailure(noSigner).contains("modelSigning"), Chart.renderFailure(noSigner));
  }

  @Test
  void heBackend_isOffByDefault() {
    Chart.Manifests m = Chart.render("");
    assertFalse(m.has("Deployment", "rel-warden-he-backend"));
    assertFalse(m.has("Service", "rel-warden-he-backend"));
  }
}
