package dev.warden.helm;

import static dev.warden.helm.Chart.assertSelects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyRenderTest {
  private static final String ON =
      "networkPolicy:\n  enabled: true\n  ingress:\n    from:\n      - namespaceSelector: {matchLabels: {team: apps}}\n"
          + "    adminFrom:\n      - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n";

  private static List<Integer> ports(JsonNode rule) {
    List<Integer> out = new ArrayList<>();
    rule.path("ports").forEach(p -> out.add(p.path("port").asInt()));
    return out;
  }

  @Test
  void ingress_onlyToWardensPorts_fromTheAllowedPeers() {
    Chart.Manifests m = Chart.render(ON);
    JsonNode np = m.one("NetworkPolicy", "rel-warden");
    assertSelects(np.path("spec").path("podSelector").path("matchLabels"),
        m.one("Deployment", "rel-warden").path("spec").path("template").path("metadata").path("labels"), "NetworkPolicy");
    assertEquals("[\"Ingress\",\"Egress\"]", np.path("spec").path("policyTypes").toString());
    JsonNode ingress = np.path("spec").path("ingress");
    assertEquals(2, ingress.size());
    assertEquals(List.of(8080), ports(ingress.get(0)));
    assertEquals("apps", ingress.get(0).path("from").get(0).path("namespaceSelector").path("matchLabels").path("team").asText());
    assertEquals(List.of(9090), ports(ingress.get(1)));
    for (JsonNode rule : ingress) {
      assertTrue(rule.path("from").size() > 0, "a rule without peers would admit everyone");
    }
  }

  @Test
  void egress_onlyDnsAndTheBackends_byDefault() {
    JsonNode egress = Chart.render(ON).one("NetworkPolicy", "rel-warden").path("spec").path("egress");
    assertEquals(2, egress.size(), egress.toString());
    assertEquals(List.of(53, 53), ports(egress.get(0)));
    assertEquals("kube-dns", egress.get(0).path("to").get(0).path("podSelector").path("matchLabels").path("k8s-app").asText());
    assertEquals(List.of(8500), ports(egress.get(1)));
    for (JsonNode rule : egress) {
      assertTrue(rule.path("to").size() > 0, "an egress rule without peers would allow every destination");
    }
    assertFalse(egress.toString().contains("ipBlock"), "no Sigstore egress unless online verification is enabled");
  }

  @Test
  void egress_addsRedisHeBackendAndSigstore_onlyWhenUsed() {
    Chart.Manifests m =
        Chart.render(
            ON
                + "  egress:\n    redis:\n      to: [{podSelector: {matchLabels: {app: redis}}}]\n      port: 6379\n"
                + "    sigstore: {enabled: true, cidrs: [203.0.113.0/24]}\n"
                + "state: {store: redis, redis: {url: \"redis://redis:6379/0\", existingSecret: rp}}\n"
                + "heBackend: {enabled: true, models: {existingClaim: he}}\n"
                + "secrets: {modelSigning: {existingSecret: s}, heBackendToken: {existingSecret: t}}\n");
    JsonNode egress = m.one("NetworkPolicy", "rel-warden").path("spec").path("egress");
    assertEquals(5, egress.size(), egress.toString());
    assertEquals(List.of(6379), ports(egress.get(2)));
    assertEquals(List.of(8600), ports(egress.get(3)));
    JsonNode heLabels =
        m.one("Deployment", "rel-warden-he-backend").path("spec").path("template").path("metadata").path("labels");
    assertSelects(egress.get(3).path("to").get(0).path("podSelector").path("matchLabels"), heLabels, "egress to HE");
    assertEquals(List.of(443), ports(egress.get(4)));
    assertEquals("203.0.113.0/24", egress.get(4).path("to").get(0).path("ipBlock").path("cidr").asText());

    JsonNode heNp = m.one("NetworkPolicy", "rel-warden-he-backend").path("spec");
    assertSelects(heNp.path("podSelector").path("matchLabels"), heLabels, "HE NetworkPolicy");
    JsonNode gatewayLabels = m.one("Deployment", "rel-warden").path("spec").path("template").path("metadata").path("labels");
    assertSelects(heNp.path("ingress").get(0).path("from").get(0).path("podSelector").path("matchLabels"), gatewayLabels,
        "only the gateway reaches the HE backend");
    assertEquals(0, heNp.path("egress").size(), "the HE backend reaches nothing");
  }

  @Test
  void sidecarMode_policySelectsTheModelServerPod() {
    Chart.Manifests m = Chart.render(ON + "mode: sidecar\nsidecar: {models: {existingClaim: m}}\n");
    assertSelects(m.one("NetworkPolicy", "rel-warden").path("spec").path("podSelector").path("matchLabels"),
        m.one("Deployment", "rel-warden").path("spec").path("template").path("metadata").path("labels"), "NetworkPolicy");
  }

  @Test
  void networkPolicy_isOffByDefault() {
    assertTrue(Chart.render("").ofKind("NetworkPolicy").isEmpty());
  }
}
