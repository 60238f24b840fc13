package dev.warden.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code warden policy check} through the real picocli command line. */
class PolicyCheckCliTest {
  private static final Path EXAMPLES = Path.of("../policies/examples");
  private static final String BASE = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: t}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: /etc/warden/k.sha256}
        backends:
          m: {url: "http://127.0.0.1:1", protocol: oip}
        routes:
          - name: r
            match: {protocol: oip, model: m}
            tenants: [acme]
            allowUnsignedModel: true
            backend: m
      """;

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = WardenCli.commandLine().execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static Stream<Path> examples() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no example policies found under " + EXAMPLES.toAbsolutePath());
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExamplePolicy_passesPolicyCheck(Path example) {
    Run r = run("policy", "check", example.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains(": OK"), r.out());
  }

  @Test
  void allExamplesAtOnce_passTogether() throws Exception {
    String[] args = Stream.concat(Stream.of("policy", "check"), examples().map(Path::toString)).toArray(String[]::new);
    assertEquals(0, run(args).exit());
  }

  static Stream<Arguments> broken() {
    return Stream.of(
        Arguments.of("unknown-key", BASE.replace("\n  routes:", "\n  routez:"), 10, "unknown key 'routez'"),
        Arguments.of("bad-enum", BASE.replace("protocol: oip}", "protocol: grpc}"), 9, "does not have a value in the enumeration"),
        Arguments.of("unknown-backend", BASE.replace("    backend: m", "    backend: nope"), 15, "unknown backend 'nope'"),
        Arguments.of("unknown-tenant", BASE.replace("tenants: [acme]", "tenants: [ghost]"), 13, "unknown tenant 'ghost'"),
        Arguments.of("unset-env", BASE.replace("\"http://127.0.0.1:1\"", "\"${WARDEN_TEST_NOT_SET_EVER}\""), 9,
            "environment variable WARDEN_TEST_NOT_SET_EVER is not set"),
        Arguments.of("unsigned-model", BASE.replace("allowUnsignedModel: true", "allowUnsignedModel: false"), 12,
            "no entry under spec.models"),
        Arguments.of("inline-secret", BASE.replace("apiKeys: {sha256File: /etc/warden/k.sha256}",
            "apiKeys: {sha256File: /etc/warden/k.sha256, keys: [\"sk-live-123\"]}"), 7, "unknown key 'keys'"),
        Arguments.of("wrong-kind", BASE.replace("kind: GatewayPolicy", "kind: Policy"), 2, "kind"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void brokenPolicy_exits1_andPrintsFileLineCol(String name, String text, int line, String message) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, text);

    Run r = run("policy", "check", f.toString());

    assertEquals(1, r.exit(), r.out() + r.err());
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(f.toString()) + ":(\\d+):(\\d+): (.*)$").matcher(r.err());
    boolean found = false;
    StringBuilder seen = new StringBuilder();
    while (m.find()) {
      seen.append(m.group()).append('\n');
      if (Integer.parseInt(m.group(1)) == line && m.group(3).contains(message) && Integer.parseInt(m.group(2)) >= 1) {
        found = true;
      }
    }
    assertTrue(found, "expected " + f + ":" + line + ":<col>: ..." + message + "... in:\n" + r.err() + "\nparsed:\n" + seen);
  }

  @Test
  void yamlSyntaxError_exits1_withALineInsideTheFile() throws Exception {
    Path f = dir.resolve("syntax.yaml");
    Files.writeString(f, BASE.replace("    - name: r\n", "    - name: r\n      match: [\n"));

    Run r = run("policy", "check", f.toString());

    assertEquals(1, r.exit());
    Matcher m = Pattern.compile(Pattern.quote(f.toString()) + ":(\\d+):(\\d+): YAML syntax error").matcher(r.err());
    assertTrue(m.find(), r.err());
    int line = Integer.parseInt(m.group(1));
    assertTrue(line >= 12 && line <= 16, "line " + line);
  }

  @Test
  void oneBrokenAmongGoodFiles_exits1_andNamesOnlyTheBrokenOne() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, BASE);
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, BASE.replace("    backend: m", "    backend: nope"));

    Run r = run("policy", "check", good.toString(), bad.toString());

    assertEquals(1, r.exit());
    assertTrue(r.out().contains(good + ": OK"), r.out());
    assertTrue(r.err().contains(bad + ":15:"), r.err());
    assertFalse(r.err().contains(good.toString()), r.err());
  }

  @Test
  void missingFile_exits1_namingIt() {
    Run r = run("policy", "check", dir.resolve("absent.yaml").toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("absent.yaml"), r.err());
  }

  @Test
  void noArguments_isAUsageError_exit2() {
    assertEquals(2, run("policy", "check").exit());
  }

  /** BASE with an operator detector on route r; the model file is never loaded by a check, only verified. */
  private Path detectorPolicy(String name, Path model, Path signature, Path publicKey) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, BASE.replace("      backend: m\n", "      backend: m\n"
        + "      screening:\n"
        + "        - type: onnx-detector\n"
        + "          name: operator\n"
        + "          model: \"" + model + "\"\n"
        + "          signature: \"" + signature + "\"\n"
        + "          authority: {key: {publicKey: \"" + publicKey + "\"}}\n"
        + "          params: {threshold: 0.5}\n"));
    return f;
  }

  private Path signedDetector(Path signingKey) throws Exception {
    Path model = Files.createDirectories(dir.resolve("detector")).resolve("scorer.onnx");
    Files.write(model, "the bytes serving would hand to ONNX Runtime".getBytes(StandardCharsets.UTF_8));
    try (ModelHasher hasher = new ModelHasher()) {
      ModelSigner.withKey(Pem.readPrivateKey(signingKey, null), hasher)
          .sign(model, dir.resolve("detector/scorer.sig"), HashingOptions.files(), HashProgress.NONE);
    }
    return model;
  }

  @Test
  void operatorDetectorThatServingWouldRefuse_isAnErrorAtItsModelLine_oneThatVerifiesPasses() throws Exception {
    Path key = dir.resolve("signing.pem");
    Path pub = dir.resolve("signing.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), key, pub);
    Path otherPub = dir.resolve("other.pub.pem");
    KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), dir.resolve("other.pem"), otherPub);
    Path model = signedDetector(key);
    Path sig = dir.resolve("detector/scorer.sig");

    Path good = detectorPolicy("detector-good", model, sig, pub);
    Run ok = run("policy", "check", good.toString());
    assertEquals(0, ok.exit(), ok.err());

    Path foreign = detectorPolicy("detector-foreign", model, sig, otherPub);
    Run refused = run("policy", "check", foreign.toString());
    assertEquals(1, refused.exit(), refused.out());
    int line = 1 + (int) Files.readString(foreign).lines().takeWhile(l -> !l.contains("model: \"")).count();
    assertTrue(refused.err().contains(foreign + ":" + line + ":"), "problem at the model line " + line + ": " + refused.err());
    assertTrue(refused.err().contains("detector model scorer.onnx refused"), refused.err());

    Files.write(model, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND); // tampered after signing
    Run tampered = run("policy", "check", good.toString());
    assertEquals(1, tampered.exit(), tampered.out());
    assertTrue(tampered.err().contains(good + ":" + line + ":"), tampered.err());
  }

  @Test
  void operatorDetectorWhoseFilesAreNotHere_isNotJudged_unlessCheckFilesAsksForThem() throws Exception {
    Path absent = dir.resolve("elsewhere");
    Path f = detectorPolicy("detector-elsewhere", absent.resolve("scorer.onnx"), absent.resolve("scorer.sig"),
        absent.resolve("signing.pub.pem"));
    assertEquals(0, run("policy", "check", f.toString()).exit(), "a policy checked away from its cluster");
    Run files = run("policy", "check", "--check-files", f.toString());
    assertEquals(1, files.exit());
    assertTrue(files.err().contains("scorer"), files.err());
  }
}
