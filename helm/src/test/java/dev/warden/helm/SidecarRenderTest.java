package dev.warden.helm;

import static dev.warden.helm.Chart.assertSelects;
import static dev.warden.helm.Chart.byName;
import static dev.warden.helm.Chart.container;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sidecar mode: the model server's Deployment with Warden in the same pod. */
class SidecarRenderTest {
  private static final String SIDECAR = "mode: sidecar\nsidecar:\n  models: {existingClaim: models-pvc}\n";

  private static JsonNode pod(Chart.Manifests m) {
    return m.one("Deployment", "rel-warden").path("spec").path("template").path("spec");
  }

  @Test
  void nativeSidecar_isAnInitContainerWithRestartPolicyAlways() {
    JsonNode pod = pod(Chart.render(SIDECAR + "  nativeSidecar: true\n"));
    JsonNode warden = byName(pod.path("initContainers"), "warden");
    assertEquals("Always", warden.path("restartPolicy").asText());
    assertNull(container(pod.path("containers"), "warden"), "Warden runs once");
    assertNotNull(container(pod.path("containers"), "model-server"));
  }

  @Test
  void fallback_isAPlainSecondContainer() {
    JsonNode pod = pod(Chart.render(SIDECAR + "  nativeSidecar: false\n"));
    JsonNode warden = byName(pod.path("containers"), "warden");
    assertTrue(warden.path("restartPolicy").isMissingNode());
    assertTrue(pod.path("initContainers").isMissingNode(), "no init containers without a storage initializer");
  }

  @Test
  void auto_onAPre129Cluster_fallsBackToAPlainContainer() {
    // helm template without a cluster reports Kubernetes v1.20.0 (Helm's default capabilities).
    JsonNode pod = pod(Chart.render(SIDECAR));
    assertNotNull(container(pod.path("containers"), "warden"));
    assertNull(container(pod.path("initContainers"), "warden"));
  }

  @Test
  void modelServer_isBoundToLoopback_declaresNoPort_andWardenForwardsThere() {
    JsonNode pod = pod(Chart.render(SIDECAR + "  nativeSidecar: true\n"));
    JsonNode server = byName(pod.path("containers"), "model-server");
    assertEquals("127.0.0.1", Chart.envValue(server, "MLSERVER_HOST"));
    assertEquals("8500", Chart.envValue(server, "MLSERVER_HTTP_PORT"));
    assertTrue(server.path("ports").isMissingNode(), "the model server exposes no port");
    JsonNode warden = byName(pod.path("initContainers"), "warden");
    assertEquals("http://127.0.0.1:8500", Chart.envValue(warden, "WARDEN_BACKEND_URL"));
  }

  @Test
  void service_targetsWardenOnly_andSelectsTheModelServerPod() {
    Chart.Manifests m = Chart.render(SIDECAR + "  nativeSidecar: true\n");
    JsonNode deployment = m.one("Deployment", "rel-warden");
    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    assertEquals("model-server", podLabels.path("app.kubernetes.io/component").asText());
    assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels, "Deployment");
    List<String> targets = new ArrayList<>();
    for (String name : List.of("rel-warden", "rel-warden-admin")) {
      JsonNode service = m.one("Service", name);
      assertSelects(service.path("spec").path("selector"), podLabels, name);
      service.path("spec").path("ports").forEach(p -> targets.add(p.path("targetPort").asText()));
    }
    assertEquals(List.of("warden-http", "warden-admin"), targets);
    JsonNode warden = byName(pod(m).path("initContainers"), "warden");
    for (String t : targets) {
      assertNotNull(container(warden.path("ports"), t), t);
    }
  }

  @Test
  void modelVolume_isSharedReadOnly_soWardenVerifiesTheFilesTheServerLoads() {
    JsonNode pod = pod(Chart.render(SIDECAR + "  nativeSidecar: true\n"));
    JsonNode volume = byName(pod.path("volumes"), "models");
    assertEquals("models-pvc", volume.path("persistentVolumeClaim").path("claimName").asText());
    assertTrue(volume.path("persistentVolumeClaim").path("readOnly").asBoolean());
    JsonNode wardenMount = byName(byName(pod.path("initContainers"), "warden").path("volumeMounts"), "models");
    JsonNode serverMount = byName(byName(pod.path("containers"), "model-server").path("volumeMounts"), "models");
    assertEquals("/mnt/models", wardenMount.path("mountPath").asText());
    assertEquals(wardenMount.path("mountPath"), serverMount.path("mountPath"), "same files at the same path");
    assertTrue(wardenMount.path("readOnly").asBoolean());
    assertTrue(serverMount.path("readOnly").asBoolean());
  }

  @Test
  void storageInitializer_fillsTheModelVolumeBeforeWardenStarts() {
    JsonNode pod =
        pod(Chart.render(
            "mode: sidecar\nsidecar:\n  nativeSidecar: true\n  models:\n    storageInitializer:\n"
                + "      enabled: true\n      image: example/storage-initializer:1\n      args: [s3://bucket/m, /mnt/models]\n"));
    JsonNode init = pod.path("initContainers");
    assertEquals("storage-initializer", init.get(0).path("name").asText());
    assertEquals("warden", init.get(1).path("name").asText());
    JsonNode mount = byName(init.get(0).path("volumeMounts"), "models");
    assertFalse(mount.path("readOnly").asBoolean(false), "the initializer is the only writer");
    assertTrue(byName(pod.path("volumes"), "models").has("emptyDir"));
  }

  @Test
  void everyContainer_followsTheRestrictedProfile_noNetAdmin_noIptables() {
    for (String nativeSidecar : List.of("true", "false")) {
      JsonNode pod = pod(Chart.render(SIDECAR + "  nativeSidecar: " + nativeSidecar + "\n"));
      PodSecurity.assertRestricted(pod);
      for (JsonNode c : Chart.allContainers(pod)) {
        assertFalse(c.toString().contains("NET_ADMIN"), c.path("name").asText());
        assertFalse(c.toString().toLowerCase(java.util.Locale.ROOT).contains("iptables"), c.path("name").asText());
        if (c.path("name").asText().equals("warden")) {
          PodSecurity.assertWardenContainer(c);
        }
      }
      assertEquals(2, Chart.allContainers(pod).size(), "Warden and the model server, nothing injected");
    }
  }
}
