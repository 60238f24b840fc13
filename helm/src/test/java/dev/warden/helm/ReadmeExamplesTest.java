package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policies.PolicyCheck;
import dev.warden.policies.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples in helm/README.md work: values files render, the policy fragment passes policy check. */
class ReadmeExamplesTest {
  private static List<String> yamlBlocks() throws IOException {
    String readme = Files.readString(Chart.moduleDir().resolve("README.md"));
    // Fenced blocks, possibly indented (inside a list item): the indent is removed from every line.
    Matcher m = Pattern.compile("(?ms)^( *)```yaml\\n(.*?)^\\1```").matcher(readme);
    List<String> out = new ArrayList<>();
    while (m.find()) {
      int indent = m.group(1).length();
      StringBuilder block = new StringBuilder();
      for (String line : m.group(2).split("\n", -1)) {
        block.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
      }
      out.add(block.toString().stripTrailing() + "\n");
    }
    return out;
  }

  @Test
  void valuesExamples_render() throws IOException {
    int rendered = 0;
    for (String block : yamlBlocks()) {
      if (block.startsWith("# values-")) {
        assertFalse(Chart.render(block).docs.isEmpty(), block);
        rendered++;
      }
    }
    assertEquals(3, rendered, "standalone, sidecar and redis examples");
  }

  @Test
  void redisStateFragment_passesPolicyCheck_inTheDefaultPolicy(@TempDir Path tmp) throws IOException {
    String fragment = yamlBlocks().stream().filter(b -> b.startsWith("  state:")).findFirst().orElseThrow();
    String policy = Files.readString(Chart.chartDir().resolve("policies/default.yaml"));
    int at = policy.indexOf("  state:");
    assertTrue(at > 0);
    Path file = tmp.resolve("redis.yaml");
    Files.writeString(file, policy.substring(0, at) + fragment);
    assertEquals(List.of(),
        PolicyCheck.check(file, PolicyLoader.forChecking().withEnv(Map.of("WARDEN_REDIS_URL", "rediss://redis.ml.svc:6380/0"))));
  }
}
