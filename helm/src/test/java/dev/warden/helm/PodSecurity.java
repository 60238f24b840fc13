package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * The checks of the Kubernetes "restricted" Pod Security Standard that a rendered pod template can show, plus
 * Warden's own: a fixed non-root UID and a read-only root filesystem for Warden's containers.
 */
final class PodSecurity {
  /** Volume types the restricted profile allows. */
  private static final Set<String> ALLOWED_VOLUME_TYPES =
      Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");

  static final int WARDEN_UID = 10001;

  private PodSecurity() {}

  static void assertRestricted(JsonNode podSpec) {
    for (String host : new String[] {"hostNetwork", "hostPID", "hostIPC"}) {
      assertFalse(podSpec.path(host).asBoolean(false), host);
    }
    JsonNode pod = podSpec.path("securityContext");
    assertTrue(pod.path("runAsNonRoot").asBoolean(false), "pod runAsNonRoot");
    assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText(), "pod seccomp");
    assertFalse(podSpec.path("automountServiceAccountToken").asBoolean(true), "no API token in the pod");
    for (JsonNode volume : podSpec.path("volumes")) {
      volume
          .fieldNames()
          .forEachRemaining(
              field ->
                  assertTrue(
                      field.equals("name") || ALLOWED_VOLUME_TYPES.contains(field),
                      "volume type not allowed by the restricted profile: " + field));
    }
    for (JsonNode c : Chart.allContainers(podSpec)) {
      String name = c.path("name").asText();
      JsonNode sc = c.path("securityContext");
      assertTrue(sc.path("runAsNonRoot").asBoolean(false), name + " runAsNonRoot");
      assertTrue(sc.path("runAsUser").asInt(0) > 0, name + " runAsUser must be a non-zero UID");
      assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), name + " allowPrivilegeEscalation");
      assertFalse(sc.path("privileged").asBoolean(false), name + " privileged");
      assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString(), name + " drops ALL");
      assertTrue(sc.path("capabilities").path("add").isMissingNode(), name + " adds no capability");
      assertEquals("RuntimeDefault", sc.path("seccompProfile").path("type").asText(), name + " seccomp");
      for (JsonNode port : c.path("ports")) {
        assertTrue(port.path("hostPort").isMissingNode(), name + " hostPort");
      }
    }
  }

  /** Warden's own containers: the fixed UID and a read-only root filesystem. */
  static void assertWardenContainer(JsonNode container) {
    JsonNode sc = container.path("securityContext");
    assertEquals(WARDEN_UID, sc.path("runAsUser").asInt(), "fixed UID");
    assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(false), "readOnlyRootFilesystem");
  }
}
