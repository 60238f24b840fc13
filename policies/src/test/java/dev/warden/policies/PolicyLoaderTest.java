package dev.warden.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoaderTest {
  @TempDir Path tmp;

  static Stream<Path> examples() throws IOException {
    return Files.list(Path.of("examples")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExamplePolicy_passesPolicyCheck(Path example) {
    assertEquals(List.of(), PolicyCheck.check(example));
  }

  @Test
  void demoPolicy_resolvesEnvironmentAndDefaults() throws Exception {
    GatewayPolicy p = PolicyLoader.forChecking()
        .withEnv(Map.of("WARDEN_DEMO_DIR", "/opt/demo", "WARDEN_DEMO_MODEL_PORT", "9999"))
        .load(Path.of("examples/demo.yaml"));
    assertEquals("demo", p.name());
    assertEquals(Mode.ENFORCE, p.mode());
    assertEquals("http://127.0.0.1:9999", p.backends().get("digits").url().toString());
    assertEquals(Path.of("/opt/demo/models/digits"), p.models().get(0).path());
    assertEquals("digits-oip", p.route(Protocol.OIP, "digits", "1").orElseThrow().name());
    assertEquals("chat", p.route(Protocol.OPENAI, "demo-chat", null).orElseThrow().name());
    assertTrue(p.route(Protocol.OPENAI, "gpt-4", null).isEmpty());
    assertEquals(1048576, p.routes().get(0).limits().maxBodyBytes());
    assertEquals(16, p.version().length());
  }

  @Test
  void directoryWithOneYaml_isLoaded_hiddenEntriesIgnored() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("cm"));
    Files.copy(Path.of("examples/sidecar.yaml"), dir.resolve("policy.yaml"));
    Files.createDirectories(dir.resolve("..data"));
    Files.writeString(dir.resolve("..data/other.yaml"), "garbage: [");
    assertEquals("sidecar", PolicyLoader.forChecking().load(dir).name());
  }

  @Test
  void directoryWithTwoYamls_isRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("two"));
    Files.copy(Path.of("examples/sidecar.yaml"), dir.resolve("a.yaml"));
    Files.copy(Path.of("examples/sidecar.yaml"), dir.resolve("b.yaml"));
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.forChecking().load(dir));
    assertTrue(e.getMessage().contains("exactly one"), e.getMessage());
  }

  @Test
  void serving_checksApiKeyHashFile_namesTheBadLine() throws Exception {
    Path keys = tmp.resolve("keys.sha256");
    Files.writeString(keys, "# demo\n" + "a".repeat(64) + "\nnot-a-hash\n");
    Path policy = tmp.resolve("p.yaml");
    Files.writeString(policy, String.join("\n",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: t}",
        "spec:",
        "  tenants:",
        "    - {id: a, apiKeys: {sha256File: keys.sha256}}",
        "  backends:",
        "    b: {url: 'http://127.0.0.1:1', protocol: oip}",
        "  routes:",
        "    - {name: r, match: {protocol: oip, model: m}, tenants: [a], backend: b, allowUnsignedModel: true}",
        ""));
    PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.forServing().load(policy));
    String msg = e.problems().get(0).toString();
    assertTrue(msg.startsWith(policy + ":6:"), msg);
    assertTrue(msg.contains(keys + ":3: not a lowercase hex SHA-256"), msg);
    // The check-only loader does not read secret files.
    assertEquals(List.of(), PolicyCheck.check(policy));
  }

  @Test
  void allProblemsAreReported_notOnlyTheFirst() throws Exception {
    Path policy = tmp.resolve("many.yaml");
    Files.writeString(policy, String.join("\n",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: t}",
        "spec:",
        "  tenants:",
        "    - {id: a, apiKeys: {sha256File: k}}",
        "  backends:",
        "    b: {url: 'http://127.0.0.1:1', protocol: oip, retriez: 2}",
        "  routes:",
        "    - {name: r, match: {protocol: oip, model: m}, tenants: [a], backend: b, allowUnsignedModel: true}",
        "    - {name: r2, match: {protocol: oip, model: m}, tenants: [a], backend: b, allowUnsignedModel: yes, colour: red}",
        ""));
    List<String> problems = PolicyCheck.check(policy);
    assertTrue(problems.size() >= 2, problems.toString());
    assertTrue(problems.get(0).contains(":8:") && problems.get(0).contains("retriez"), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains(":11:") && p.contains("colour")), problems.toString());
  }

  @Test
  void escapedDollar_isLiteral_andCommentsAreNotSubstituted() throws Exception {
    Path policy = tmp.resolve("esc.yaml");
    Files.writeString(policy, String.join("\n",
        "# ${NOT_SET_ANYWHERE} in a comment is fine",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: t, annotations: {note: '$${LITERAL}'}}",
        "spec:",
        "  tenants:",
        "    - {id: a, apiKeys: {sha256File: k}}",
        "  backends:",
        "    b: {url: 'http://127.0.0.1:1', protocol: oip}",
        "  routes:",
        "    - {name: r, match: {protocol: oip, model: m}, tenants: [a], backend: b, allowUnsignedModel: true}",
        ""));
    GatewayPolicy p = PolicyLoader.forChecking().load(policy);
    assertEquals("${LITERAL}", p.raw().path("metadata").path("annotations").path("note").asText());
  }

  private Path detectorPolicy(String screen) throws IOException {
    Path policy = tmp.resolve("detector.yaml");
    Files.writeString(policy, String.join("\n",
        "apiVersion: warden.dev/v1alpha1",
        "kind: GatewayPolicy",
        "metadata: {name: t}",
        "spec:",
        "  tenants:",
        "    - {id: a, apiKeys: {sha256File: k}}",
        "  backends:",
        "    b: {url: 'http://127.0.0.1:1', protocol: oip}",
        "  routes:",
        "    - name: r",
        "      match: {protocol: oip, model: m}",
        "      tenants: [a]",
        "      backend: b",
        "      allowUnsignedModel: true",
        "      screening:",
        "        - " + screen,
        ""));
    return policy;
  }

  @Test
  void detectorModel_carriesItsSignatureAndAuthority_resolvedNextToThePolicy() throws Exception {
    Path policy = detectorPolicy("{type: onnx-detector, model: det/ae.onnx, signature: det/ae.sig, "
        + "authority: {key: {publicKey: keys/pub.pem}}, input: {shape: [-1, 64], mean: 8, std: 4}, "
        + "output: {name: score, index: 0, activation: none}, params: {threshold: 0.2}}");
    Specs.Route r = PolicyLoader.forChecking().load(policy).routes().get(0);
    assertEquals(1, r.detectorModels().size());
    Specs.DetectorArtifact d = r.detectorModels().get(0);
    assertEquals(0, d.screen());
    assertEquals(tmp.resolve("det/ae.onnx"), d.model());
    assertEquals(tmp.resolve("det/ae.sig"), d.signature());
    assertEquals(new Specs.KeyAuthority(tmp.resolve("keys/pub.pem")), d.authority());
  }

  @Test
  void detectorModelWithoutSignature_isRefused() throws Exception {
    List<String> problems = PolicyCheck.check(detectorPolicy("{type: onnx-detector, model: det/ae.onnx}"));
    assertTrue(problems.stream().anyMatch(p -> p.contains(":16:") && p.contains("signature")), problems.toString());
  }

  @Test
  void textClassifierKindWithoutModel_isRefused() throws Exception {
    List<String> problems = PolicyCheck.check(detectorPolicy("{type: onnx-detector, kind: text-classifier}"));
    assertTrue(problems.stream().anyMatch(p -> p.contains("text-classifier needs")), problems.toString());
  }

  @Test
  void modelOnAScreenThatTakesNone_isRefused() throws Exception {
    List<String> problems = PolicyCheck.check(detectorPolicy("{type: text-scanner, model: m.onnx, signature: m.sig, "
        + "authority: {key: {publicKey: p.pem}}}"));
    assertTrue(problems.stream().anyMatch(p -> p.contains("only onnx-detector and prompt-injection")), problems.toString());
  }
}
