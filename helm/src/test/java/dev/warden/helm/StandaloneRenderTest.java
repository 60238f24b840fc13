package dev.warden.helm;

import static dev.warden.helm.Chart.assertSelects;
import static dev.warden.helm.Chart.byName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart's defaults: a standalone gateway. */
class StandaloneRenderTest {
  private static Chart.Manifests m;
  private static JsonNode deployment;
  private static JsonNode pod;
  private static JsonNode warden;

  @BeforeAll
  static void render() {
    m = Chart.render("");
    deployment = m.one("Deployment", "rel-warden");
    pod = deployment.path("spec").path("template").path("spec");
    warden = byName(pod.path("containers"), "warden");
  }

  @Test
  void defaults_renderOnlyTheGatewayObjects_andNoSecret() {
    assertEquals(
        List.of("ConfigMap/rel-warden-policy", "Deployment/rel-warden", "Service/rel-warden", "Service/rel-warden-admin",
            "ServiceAccount/rel-warden"),
        m.summary().stream().sorted().collect(Collectors.toList()));
    assertTrue(m.ofKind("Secret").isEmpty(), "the chart never renders a Secret");
  }

  @Test
  void pod_followsTheRestrictedProfile_withAFixedUidAndReadOnlyRoot() {
    PodSecurity.assertRestricted(pod);
    PodSecurity.assertWardenContainer(warden);
    assertEquals(PodSecurity.WARDEN_UID, pod.path("securityContext").path("runAsUser").asInt());
  }

  @Test
  void container_servesThePolicyDirectory_onTheDataAndAdminPorts() {
    assertEquals(
        List.of("serve", "--policy", "/etc/warden/policies", "--port", "8080", "--admin-port", "9090"),
        textList(warden.path("args")));
    JsonNode ports = warden.path("ports");
    assertEquals(8080, byName(ports, "warden-http").path("containerPort").asInt());
    assertEquals(9090, byName(ports, "warden-admin").path("containerPort").asInt());
    assertEquals("http://model-server:8500", Chart.envValue(warden, "WARDEN_BACKEND_URL"));
  }

  @Test
  void probes_livezForStartupAndLiveness_readyzForReadiness_onTheAdminPort() {
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      JsonNode get = warden.path(probe).path("httpGet");
      assertEquals("warden-admin", get.path("port").asText(), probe);
      assertEquals(probe.equals("readinessProbe") ? "/readyz" : "/livez", get.path("path").asText(), probe);
    }
    JsonNode startup = warden.path("startupProbe");
    assertTrue(
        startup.path("periodSeconds").asInt() * startup.path("failureThreshold").asInt() >= 120,
        "the startup probe allows at least two minutes for JVM start and model verification");
  }

  @Test
  void policy_isTheWholeConfigMapDirectory_neverASubPath() {
    JsonNode mount = byName(warden.path("volumeMounts"), "policy");
    assertEquals("/etc/warden/policies", mount.path("mountPath").asText());
    assertTrue(mount.path("readOnly").asBoolean());
    for (JsonNode c : Chart.allContainers(pod)) {
      for (JsonNode vm : c.path("volumeMounts")) {
        assertTrue(vm.path("subPath").isMissingNode() && vm.path("subPathExpr").isMissingNode(),
            "no subPath mounts (a subPath never sees ConfigMap updates): " + vm);
      }
    }
    JsonNode volume = byName(pod.path("volumes"), "policy");
    assertEquals("rel-warden-policy", volume.path("configMap").path("name").asText());
    assertTrue(volume.path("configMap").path("items").isMissingNode(), "every key of the ConfigMap is a file");
  }

  @Test
  void policyConfigMap_holdsTheShippedPolicyForTheStateStore() throws IOException {
    Path policies = Chart.chartDir().resolve("policies");
    JsonNode data = m.one("ConfigMap", "rel-warden-policy").path("data");
    assertEquals(Set.of("default.yaml"), Chart.stringMap(data).keySet(), "exactly one policy file per directory");
    assertEquals(Files.readString(policies.resolve("default.yaml")), data.path("default.yaml").asText());

    JsonNode redis = Chart.render("state: {store: redis, redis: {url: \"redis://r:6379\", existingSecret: r}}\n")
        .one("ConfigMap", "rel-warden-policy").path("data");
    assertEquals(Set.of("default-redis.yaml"), Chart.stringMap(redis).keySet());
    assertEquals(Files.readString(policies.resolve("default-redis.yaml")), redis.path("default-redis.yaml").asText());
  }

  @Test
  void ledgerOnAPersistentVolume_isReplacedNotRolled() {
    assertTrue(deployment.path("spec").path("strategy").isMissingNode());
    JsonNode strategy = Chart.render("state: {embedded: {existingClaim: ledger}}\n")
        .one("Deployment", "rel-warden").path("spec").path("strategy");
    assertEquals("Recreate", strategy.path("type").asText());
  }

  @Test
  void tmpAndState_areWritableVolumes_onAReadOnlyRoot() {
    assertEquals("/tmp", byName(warden.path("volumeMounts"), "tmp").path("mountPath").asText());
    assertTrue(byName(pod.path("volumes"), "tmp").has("emptyDir"));
    assertEquals("/var/lib/warden", byName(warden.path("volumeMounts"), "state").path("mountPath").asText());
    assertEquals("/var/lib/warden", Chart.envValue(warden, "WARDEN_STATE_DIR"));
  }

  @Test
  void selectors_matchTheLabelsOfWhatTheySelect() {
    JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
    assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels, "Deployment");
    assertSelects(m.one("Service", "rel-warden").path("spec").path("selector"), podLabels, "Service");
    assertSelects(m.one("Service", "rel-warden-admin").path("spec").path("selector"), podLabels, "admin Service");
    for (JsonNode tsc : pod.path("topologySpreadConstraints")) {
      assertSelects(tsc.path("labelSelector").path("matchLabels"), podLabels, "topology spread");
    }
    assertEquals("rel-warden", pod.path("serviceAccountName").asText());
  }

  @Test
  void services_targetWardensNamedPorts_andAdminStaysInsideTheCluster() {
    JsonNode data = m.one("Service", "rel-warden").path("spec").path("ports");
    assertEquals(1, data.size(), "the data Service carries only the data port");
    assertEquals(8080, byName(data, "http").path("port").asInt());
    assertEquals("warden-http", byName(data, "http").path("targetPort").asText());
    JsonNode admin = m.one("Service", "rel-warden-admin").path("spec");
    assertEquals(9090, byName(admin.path("ports"), "admin").path("port").asInt());
    assertEquals("warden-admin", byName(admin.path("ports"), "admin").path("targetPort").asText());
    for (String target : List.of("warden-http", "warden-admin")) {
      assertNotNull(Chart.container(warden.path("ports"), target), target);
    }
    Chart.Manifests lb = Chart.render("service: {type: LoadBalancer}\n");
    assertEquals("LoadBalancer", lb.one("Service", "rel-warden").path("spec").path("type").asText());
    assertEquals("ClusterIP", lb.one("Service", "rel-warden-admin").path("spec").path("type").asText(),
        "the admin endpoints are never exposed by service.type");
  }

  @Test
  void failureMessages_fallBackToTheLogs() {
    assertEquals("FallbackToLogsOnError", warden.path("terminationMessagePolicy").asText());
  }

  @Test
  void resources_haveRequestsAndAMemoryLimit() {
    JsonNode res = warden.path("resources");
    assertFalse(res.path("requests").path("cpu").asText().isEmpty());
    assertFalse(res.path("requests").path("memory").asText().isEmpty());
    assertFalse(res.path("limits").path("memory").asText().isEmpty());
  }

  @Test
  void policyChecksum_isOffByDefault_andFollowsThePolicyWhenOn() {
    assertNull(deployment.path("spec").path("template").path("metadata").path("annotations").get("checksum/policy"));
    String a = checksum("policy: {rolloutOnChange: true}\n");
    String b = checksum("policy: {rolloutOnChange: true}\n");
    String c =
        checksum("policy:\n  rolloutOnChange: true\n  files:\n    p.yaml: |\n      apiVersion: warden.dev/v1alpha1\n");
    assertTrue(a.matches("[0-9a-f]{64}"), a);
    assertEquals(a, b, "same policy, same checksum");
    assertNotEquals(a, c, "an edited policy changes the checksum and so rolls the pods");
  }

  @Test
  void existingConfigMap_isMountedInsteadOfTheChartsOwn() {
    Chart.Manifests other = Chart.render("policy: {existingConfigMap: ops-policies}\n");
    assertFalse(other.has("ConfigMap", "rel-warden-policy"));
    JsonNode volume =
        byName(other.one("Deployment", "rel-warden").path("spec").path("template").path("spec").path("volumes"), "policy");
    assertEquals("ops-policies", volume.path("configMap").path("name").asText());
  }

  @Test
  void policyFilesFromValues_replaceTheShippedOnes() {
    Chart.Manifests other =
        Chart.render("policy:\n  files:\n    prod.yaml: |\n      kind: GatewayPolicy\n");
    JsonNode data = other.one("ConfigMap", "rel-warden-policy").path("data");
    assertEquals(Set.of("prod.yaml"), Chart.stringMap(data).keySet());
    assertEquals("kind: GatewayPolicy\n", data.path("prod.yaml").asText());
  }

  private static String checksum(String values) {
    return Chart.render(values)
        .one("Deployment", "rel-warden")
        .path("spec").path("template").path("metadata").path("annotations").path("checksum/policy").asText();
  }

  static List<String> textList(JsonNode array) {
    return java.util.stream.StreamSupport.stream(array.spliterator(), false)
        .map(JsonNode::asText)
        .collect(Collectors.toList());
  }
}
