package dev.warden.helm;

import static dev.warden.helm.Chart.byName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model-server chart (test resource kserve-host) with this chart in charts/, adding Warden to its own pod
 * through the named templates warden.sidecar.initContainers / .containers / .volumes.
 */
class SubchartSidecarTest {
  private static Path hostChart(Path tmp) throws IOException {
    Path host = tmp.resolve("kserve-host");
    copyTree(Chart.moduleDir().resolve("src/test/resources/kserve-host"), host);
    copyTree(Chart.chartDir(), host.resolve("charts/warden"));
    return host;
  }

  @Test
  void namedTemplates_addWardenToTheHostsPod(@TempDir Path tmp) throws IOException {
    Chart.Manifests m = Chart.Manifests.parse(new Helm(hostChart(tmp)).template().withName("rel").call());

    assertEquals(
        java.util.List.of("ConfigMap/rel-warden-policy", "Deployment/rel-predictor", "Service/rel-predictor",
            "ServiceAccount/rel-warden"),
        m.summary().stream().sorted().collect(java.util.stream.Collectors.toList()),
        "the warden subchart renders no workload of its own");
    JsonNode pod = m.one("Deployment", "rel-predictor").path("spec").path("template").path("spec");
    JsonNode warden = byName(pod.path("initContainers"), "warden");
    assertEquals("Always", warden.path("restartPolicy").asText());
    assertNull(Chart.container(pod.path("containers"), "warden"));
    assertEquals("http://127.0.0.1:8080", Chart.envValue(warden, "WARDEN_BACKEND_URL"));
    assertEquals(8081, byName(warden.path("ports"), "warden-http").path("containerPort").asInt());
    PodSecurity.assertWardenContainer(warden);

    JsonNode policyVolume = byName(pod.path("volumes"), "policy");
    assertEquals("rel-warden-policy", policyVolume.path("configMap").path("name").asText(),
        "the pod mounts the ConfigMap the subchart renders");
    assertTrue(m.has("ConfigMap", policyVolume.path("configMap").path("name").asText()));
    JsonNode wardenModels = byName(warden.path("volumeMounts"), "models");
    JsonNode serverModels = byName(byName(pod.path("containers"), "kserve-container").path("volumeMounts"), "models");
    assertEquals(serverModels.path("mountPath"), wardenModels.path("mountPath"));
    assertTrue(wardenModels.path("readOnly").asBoolean());
    assertFalse(policyVolume.toString().contains("subPath"));
  }

  @Test
  void fallback_addsWardenAsASecondContainer(@TempDir Path tmp) throws IOException {
    Chart.Manifests m = Chart.Manifests.parse(
        new Helm(hostChart(tmp)).template().withName("rel").set("warden.sidecar.nativeSidecar", "false").call());
    JsonNode pod = m.one("Deployment", "rel-predictor").path("spec").path("template").path("spec");
    assertTrue(pod.path("initContainers").isNull() || pod.path("initContainers").isMissingNode()
        || pod.path("initContainers").size() == 0);
    JsonNode warden = byName(pod.path("containers"), "warden");
    assertTrue(warden.path("restartPolicy").isMissingNode());
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
