package dev.warden.helm;

import static dev.warden.helm.Chart.assertSelects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** HPA, PodDisruptionBudget, ServiceMonitor and Redis-backed shared state. */
class ScalingRenderTest {
  private static final String REDIS =
      "state:\n  store: redis\n  redis: {url: \"rediss://redis.ml.svc:6380/0\", existingSecret: redis-auth}\n";

  @Test
  void hpa_isAutoscalingV2_onCpu_targetingTheDeployment_whichThenHasNoReplicaCount() {
    Chart.Manifests m = Chart.render(REDIS + "autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5}\n");
    JsonNode hpa = m.one("HorizontalPodAutoscaler", "rel-warden");
    assertEquals("autoscaling/v2", hpa.path("apiVersion").asText());
    JsonNode target = hpa.path("spec").path("scaleTargetRef");
    assertEquals("Deployment", target.path("kind").asText());
    assertEquals("rel-warden", target.path("name").asText());
    assertTrue(m.has("Deployment", target.path("name").asText()));
    assertEquals(2, hpa.path("spec").path("minReplicas").asInt());
    assertEquals(5, hpa.path("spec").path("maxReplicas").asInt());
    JsonNode metrics = hpa.path("spec").path("metrics");
    assertEquals(1, metrics.size());
    assertEquals("cpu", metrics.get(0).path("resource").path("name").asText());
    assertEquals(70, metrics.get(0).path("resource").path("target").path("averageUtilization").asInt());
    assertTrue(m.one("Deployment", "rel-warden").path("spec").path("replicas").isMissingNode(),
        "the HPA owns the replica count");
  }

  @Test
  void hpa_addsTheOptionalCustomMetric() {
    JsonNode metrics = Chart.render(REDIS + "autoscaling:\n  enabled: true\n  customMetric: {enabled: true, name: warden_rps, averageValue: \"50\"}\n")
        .one("HorizontalPodAutoscaler", "rel-warden").path("spec").path("metrics");
    assertEquals(2, metrics.size());
    JsonNode pods = metrics.get(1).path("pods");
    assertEquals("warden_rps", pods.path("metric").path("name").asText());
    assertEquals("50", pods.path("target").path("averageValue").asText());
  }

  @Test
  void redisState_isHandedToThePolicy_andItsPasswordMountedAsAFile() {
    Chart.Manifests m = Chart.render(REDIS + "replicaCount: 3\n");
    JsonNode pod = m.one("Deployment", "rel-warden").path("spec").path("template").path("spec");
    assertEquals(3, m.one("Deployment", "rel-warden").path("spec").path("replicas").asInt());
    JsonNode warden = Chart.byName(pod.path("containers"), "warden");
    assertEquals("rediss://redis.ml.svc:6380/0", Chart.envValue(warden, "WARDEN_REDIS_URL"));
    assertEquals("/etc/warden/secrets/redis/password", Chart.envValue(warden, "WARDEN_REDIS_PASSWORD_FILE"));
    assertEquals("/etc/warden/secrets/redis/ca.crt", Chart.envValue(warden, "WARDEN_REDIS_CA_FILE"),
        "rediss://: the CA in the same Secret, for state.caFile");
    JsonNode mount = Chart.byName(warden.path("volumeMounts"), "secret-redis");
    assertTrue(mount.path("readOnly").asBoolean());
    assertEquals("redis-auth", Chart.byName(pod.path("volumes"), "secret-redis").path("secret").path("secretName").asText());
  }

  @Test
  void pdb_isPolicyV1_selectingTheGatewayPods() {
    Chart.Manifests m = Chart.render("podDisruptionBudget: {enabled: true, maxUnavailable: 1}\n");
    JsonNode pdb = m.one("PodDisruptionBudget", "rel-warden");
    assertEquals("policy/v1", pdb.path("apiVersion").asText());
    assertEquals(1, pdb.path("spec").path("maxUnavailable").asInt());
    assertSelects(pdb.path("spec").path("selector").path("matchLabels"),
        m.one("Deployment", "rel-warden").path("spec").path("template").path("metadata").path("labels"), "PDB");
  }

  @Test
  void serviceMonitor_scrapesMetricsOnTheAdminPortOfTheService() {
    Chart.Manifests m = Chart.render("serviceMonitor: {enabled: true, labels: {release: prom}}\n");
    JsonNode sm = m.one("ServiceMonitor", "rel-warden");
    JsonNode service = m.one("Service", "rel-warden-admin");
    assertSelects(sm.path("spec").path("selector").path("matchLabels"), service.path("metadata").path("labels"), "ServiceMonitor");
    assertTrue(!Chart.selects(sm.path("spec").path("selector").path("matchLabels"),
        m.one("Service", "rel-warden").path("metadata").path("labels")), "only the admin Service is scraped");
    assertEquals("prom", sm.path("metadata").path("labels").path("release").asText());
    JsonNode endpoint = sm.path("spec").path("endpoints").get(0);
    assertEquals("/metrics", endpoint.path("path").asText());
    assertEquals("admin", endpoint.path("port").asText());
    assertTrue(Chart.container(service.path("spec").path("ports"), "admin") != null);
  }
}
