package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Dockerfile is checked against the build that produces its jar and against the chart that runs it (no
 * Docker engine here). That the jar runs is checked where it is built, not in this module.
 */
class DockerfileTest {
  /** One instruction of the Dockerfile: keyword and the rest of the (joined) line. */
  record Instruction(String keyword, String args) {}

  private static List<Instruction> instructions;

  @BeforeAll
  static void parse() throws IOException {
    instructions = parse(Files.readString(Chart.repoRoot().resolve("Dockerfile")));
  }

  static List<Instruction> parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String raw : text.split("\n", -1)) {
      String trimmed = raw.strip();
      if (line.length() == 0 && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        line.append(trimmed.substring(0, trimmed.length() - 1).strip()).append(' ');
        continue;
      }
      line.append(trimmed);
      String joined = line.toString().strip();
      line.setLength(0);
      int space = joined.indexOf(' ');
      out.add(new Instruction(joined.substring(0, space).toUpperCase(Locale.ROOT), joined.substring(space + 1).strip()));
    }
    return out;
  }

  /** Stage name -> its WORKDIR (the last one set in the stage). */
  private static String workdirOf(String stage) {
    String current = null;
    String workdir = "";
    for (Instruction i : instructions) {
      if (i.keyword().equals("FROM")) {
        current = stageName(i.args());
      } else if (i.keyword().equals("WORKDIR") && stage.equals(current)) {
        workdir = i.args().endsWith("/") ? i.args().substring(0, i.args().length() - 1) : i.args();
      }
    }
    return workdir;
  }

  private static String stageName(String fromArgs) {
    String[] words = fromArgs.split("\\s+");
    for (int k = 0; k < words.length - 1; k++) {
      if (words[k].equalsIgnoreCase("AS")) {
        return words[k + 1];
      }
    }
    return null;
  }

  private static List<Instruction> all(String keyword) {
    List<Instruction> out = new ArrayList<>();
    for (Instruction i : instructions) {
      if (i.keyword().equals(keyword)) {
        out.add(i);
      }
    }
    return out;
  }

  /** The COPY that brings the jar from the build stage: [stage, source, destination]. */
  private static String[] jarCopy() {
    for (Instruction i : all("COPY")) {
      List<String> words = new ArrayList<>(Arrays.asList(i.args().split("\\s+")));
      String from = null;
      while (!words.isEmpty() && words.get(0).startsWith("--")) {
        String flag = words.remove(0);
        if (flag.startsWith("--from=")) {
          from = flag.substring("--from=".length());
        }
      }
      if (from != null && words.size() == 2 && words.get(0).endsWith(".jar")) {
        return new String[] {from, words.get(0), words.get(1)};
      }
    }
    throw new AssertionError("no COPY --from=<stage> <jar> <dest> in the Dockerfile");
  }

  private static Document pom(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(file.toFile());
  }

  /** The shade plugin's finalName in gateway/pom.xml. */
  private static String shadeFinalName() throws Exception {
    NodeList plugins = pom(Chart.repoRoot().resolve("gateway/pom.xml")).getElementsByTagName("plugin");
    for (int k = 0; k < plugins.getLength(); k++) {
      Element plugin = (Element) plugins.item(k);
      if (text(plugin, "artifactId").equals("maven-shade-plugin")) {
        return text(plugin, "finalName");
      }
    }
    throw new AssertionError("gateway/pom.xml has no maven-shade-plugin");
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
  }

  @Test
  void copiedJar_isTheOneTheGatewayBuildProduces() throws Exception {
    String[] copy = jarCopy();
    String finalName = shadeFinalName();
    assertEquals("warden", finalName);
    // The build's output folder: the parent pom's warden.targetDir, "target" unless a helper overrides it.
    Document parent = pom(Chart.repoRoot().resolve("pom.xml"));
    String targetDir = "";
    NodeList properties = parent.getElementsByTagName("properties");
    for (int k = 0; k < properties.getLength(); k++) {
      if (properties.item(k).getParentNode() == parent.getDocumentElement()) {
        targetDir = text((Element) properties.item(k), "warden.targetDir");
      }
    }
    assertEquals("target", targetDir);
    String expected = workdirOf(copy[0]) + "/gateway/" + targetDir + "/" + finalName + ".jar";
    assertEquals(expected, copy[1], "the Dockerfile copies the jar the build produces");
    // ... and the build stage builds it with that default output folder.
    String build = all("RUN").stream().map(Instruction::args).filter(a -> a.contains("mvn ")).findFirst().orElse("");
    assertTrue(build.contains("package") && build.contains("gateway"), build);
    assertFalse(build.contains("warden.targetDir"), "the image build must write to the default target folder");
  }

  @Test
  void image_isMultiStage_runsTheCopiedJarOnAJre() {
    List<Instruction> froms = all("FROM");
    assertTrue(froms.size() >= 2, "multi-stage");
    assertEquals(jarCopy()[0], stageName(froms.get(0).args()), "the jar comes from the build stage");
    assertTrue(froms.get(0).args().contains("maven"), froms.get(0).args());
    assertTrue(froms.get(froms.size() - 1).args().contains("-jre"), "runs on a JRE: " + froms.get(froms.size() - 1));
    String entrypoint = all("ENTRYPOINT").get(0).args();
    assertTrue(entrypoint.contains("\"-jar\", \"" + jarCopy()[2] + "\""), entrypoint);
    assertTrue(entrypoint.contains("-Djava.io.tmpdir=/tmp"), "ONNX Runtime unpacks its natives to the emptyDir /tmp");
  }

  @Test
  void image_runsAsTheNonRootUidTheChartExpects() throws IOException {
    List<Instruction> users = all("USER");
    String user = users.get(users.size() - 1).args();
    JsonNode values = Chart.YAML.readTree(Chart.chartDir().resolve("values.yaml").toFile());
    JsonNode sc = values.path("securityContext");
    assertEquals(sc.path("runAsUser").asInt() + ":" + sc.path("runAsGroup").asInt(), user,
        "numeric UID:GID (runAsNonRoot can only verify a numeric user)");
    assertEquals(PodSecurity.WARDEN_UID, sc.path("runAsUser").asInt());
  }

  @Test
  void ports_matchTheChartsDefaults() throws IOException {
    JsonNode ports = Chart.YAML.readTree(Chart.chartDir().resolve("values.yaml").toFile()).path("ports");
    assertEquals("8080 9090", all("EXPOSE").get(0).args());
    assertEquals(8080, ports.path("data").asInt());
    assertEquals(9090, ports.path("admin").asInt());
  }

  @Test
  void onlyLinuxX64OnnxNatives_goIntoTheJar() throws Exception {
    String gatewayPom = Files.readString(Chart.repoRoot().resolve("gateway/pom.xml"));
    for (String excluded : List.of("ai/onnxruntime/native/osx-*/**", "ai/onnxruntime/native/win-*/**",
        "ai/onnxruntime/native/linux-aarch64/**")) {
      assertTrue(gatewayPom.contains("<exclude>" + excluded + "</exclude>"), excluded);
    }
    assertTrue(all("RUN").stream().anyMatch(i -> i.args().contains("ai/onnxruntime/native/linux-x64/")),
        "the image build checks the jar's natives");
    assertTrue(all("FROM").get(all("FROM").size() - 1).args().contains("--platform=linux/amd64"));
  }

  @Test
  void dockerignore_keepsBuildOutputAndGitOutOfTheContext() throws IOException {
    List<String> lines = Files.readAllLines(Chart.repoRoot().resolve(".dockerignore"));
    for (String pattern : List.of(".git", "**/target", "**/target-*")) {
      assertTrue(lines.contains(pattern), pattern);
    }
    assertNotNull(Chart.repoRoot().resolve("helm/pom.xml"), "every reactor module's pom stays in the context");
    for (String line : lines) {
      assertFalse(line.strip().equals("*.xml") || line.strip().endsWith("pom.xml"), "poms are needed: " + line);
    }
  }

  @Test
  void parser_joinsContinuationLines() {
    List<Instruction> parsed = parse("# c\nFROM a AS b\nRUN x \\\n  && y\n");
    assertEquals(List.of(new Instruction("FROM", "a AS b"), new Instruction("RUN", "x && y")), parsed);
  }
}
