package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.policies.PolicyCheck;
import dev.warden.policies.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy files the chart ships pass {@code warden policy check}, as files and as the pod sees them. */
class PolicyFilesTest {
  private static List<Path> shippedPolicies() throws IOException {
    try (Stream<Path> files = Files.list(Chart.chartDir().resolve("policies"))) {
      List<Path> out = files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
      assertFalse(out.isEmpty(), "the chart ships a policy");
      return out;
    }
  }

  @Test
  void shippedPolicyFiles_passPolicyCheck() throws IOException {
    for (Path policy : shippedPolicies()) {
      // The chart always sets WARDEN_REDIS_URL with the redis store; other variables have defaults.
      PolicyLoader loader = PolicyLoader.forChecking().withEnv(Map.of("WARDEN_REDIS_URL", "redis://redis:6379/0"));
      assertEquals(List.of(), PolicyCheck.check(policy, loader), policy.toString());
    }
  }

  @Test
  void renderedPolicyDirectory_passesPolicyCheck_withThePodsEnvironment(@TempDir Path tmp) {
    String[] modes = {
      "", "mode: sidecar\nsidecar: {nativeSidecar: true, models: {existingClaim: m}}\n",
      "backend: {url: \"https://triton.ml.svc:8000\"}\n",
      "replicaCount: 3\nstate: {store: redis, redis: {url: \"rediss://redis:6380/0\", existingSecret: redis-pass}}\n"
    };
    for (int k = 0; k < modes.length; k++) {
      Chart.Manifests m = Chart.render(modes[k]);
      JsonNode pod = m.one("Deployment", "rel-warden").path("spec").path("template").path("spec");
      List<JsonNode> containers = Chart.allContainers(pod);
      JsonNode warden = containers.stream().filter(c -> c.path("name").asText().equals("warden")).findFirst().orElseThrow();
      Map<String, String> env = new HashMap<>();
      for (JsonNode e : warden.path("env")) {
        if (e.has("value")) {
          env.put(e.path("name").asText(), e.path("value").asText());
        }
      }
      // The mounted directory as the gateway sees it: one file per ConfigMap key.
      Path dir = tmp.resolve("policies-" + k);
      m.one("ConfigMap", "rel-warden-policy").path("data").fields().forEachRemaining(f -> write(dir.resolve(f.getKey()), f.getValue().asText()));
      List<String> problems = PolicyCheck.check(dir, PolicyLoader.forChecking().withEnv(env));
      assertEquals(List.of(), problems, "rendering " + k + " with env " + env);
      assertEquals(1, Chart.stringMap(m.one("ConfigMap", "rel-warden-policy").path("data")).size());
    }
  }

  @Test
  void redisPolicy_withoutTheRedisUrl_isRefused() {
    // Unset without a default is an error, never an empty URL.
    List<String> problems = PolicyCheck.check(Chart.chartDir().resolve("policies/default-redis.yaml"),
        PolicyLoader.forChecking().withEnv(Map.of()));
    if (System.getenv("WARDEN_REDIS_URL") == null) {
      assertFalse(problems.isEmpty());
      assertTrue(problems.get(0).contains("WARDEN_REDIS_URL"), problems.get(0));
    }
  }

  @Test
  void policyCheck_reportsABrokenPolicy(@TempDir Path tmp) throws IOException {
    // The checks above can fail: the shipped policy with a misspelt key is refused at file:line:col.
    Path broken = tmp.resolve("broken.yaml");
    Files.writeString(broken, Files.readString(shippedPolicies().get(0)).replace("  routes:", "  route:"));
    List<String> problems = PolicyCheck.check(broken);
    assertFalse(problems.isEmpty());
    assertTrue(problems.get(0).startsWith(broken.toString() + ":"), problems.get(0));
  }

  @Test
  void filesThePolicyReferences_areWhereTheChartMountsThem() throws IOException {
    JsonNode values = Chart.YAML.readTree(Chart.chartDir().resolve("values.yaml").toFile());
    List<String> roots = new ArrayList<>();
    values.path("secrets").forEach(s -> roots.add(s.path("mountPath").asText()));
    roots.add(values.path("state").path("redis").path("mountPath").asText());
    roots.add(values.path("state").path("embedded").path("dir").asText());
    roots.add(values.path("models").path("mountPath").asText());
    roots.add(values.path("sidecar").path("models").path("mountPath").asText());
    Pattern absolute = Pattern.compile("(?m)^(?!\\s*#).*?(?<![\\w:/])(/(?:etc|var|mnt)/[\\w./-]+)");
    for (Path policy : shippedPolicies()) {
      Matcher matcher = absolute.matcher(Files.readString(policy));
      int found = 0;
      while (matcher.find()) {
        String path = matcher.group(1);
        found++;
        assertTrue(roots.stream().anyMatch(root -> path.equals(root) || path.startsWith(root + "/")),
            policy.getFileName() + " refers to " + path + ", which no chart volume provides (" + roots + ")");
      }
      assertTrue(found > 0, "the check saw the policy's file references");
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
