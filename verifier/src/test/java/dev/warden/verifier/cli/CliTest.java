package dev.warden.verifier.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.verifier.Fixtures;
import dev.warden.verifier.Pem;
import dev.warden.verifier.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI commands, run the way the launcher runs them: {@code new CommandLine(cmd).execute(args)}. */
class CliTest {
  @TempDir Path tmp;
  Path model;

  record Run(int code, String out, String err) {}

  static Run run(Callable<Integer> cmd, Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] a = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      a[i] = args[i].toString();
    }
    int code = cl.execute(a);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeEach
  void model() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights");
    Files.writeString(model.resolve("README.md"), "readme");
  }

  @Test
  void keygen_signKey_verifyKey_roundTrip() throws Exception {
    Path priv = tmp.resolve("k.pem");
    Path pub = tmp.resolve("k.pub");
    Run k = run(new KeygenCommand(), "--private-key", priv, "--public-key", pub, "--curve", "P384");
    assertEquals(0, k.code(), k.err());
    assertEquals(java.util.Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(priv));
    assertEquals(1, run(new KeygenCommand(), "--private-key", priv, "--public-key", pub).code(), "never overwrites");

    Path sig = tmp.resolve("model.sig");
    Run s = run(new SignCommand(), "key", model, "--signature", sig, "--private-key", priv, "--quiet");
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().startsWith("Signed "), s.out());
    assertEquals("", s.err(), "no progress off a terminal");

    Run v = run(new VerifyCommand(), "key", model, "--signature", sig, "--public-key", pub);
    assertEquals(0, v.code(), v.err());
    assertTrue(v.out().contains("Verified"), v.out());

    Run json = run(new VerifyCommand(), "key", model, "--signature", sig, "--public-key", pub, "--json");
    JsonNode n = new ObjectMapper().readTree(json.out());
    assertTrue(n.get("verified").asBoolean());
    assertEquals(2, n.get("files").asInt());
    assertEquals(13, n.get("bytes").asLong());
    assertTrue(n.get("signer").get("identity").asText().startsWith("key:sha256:"));

    Run d = run(new DigestCommand(), model);
    assertEquals(n.get("rootDigest").asText(), d.out().trim());
  }

  @Test
  void failedCheck_exitsOne_withReason_andJson() throws Exception {
    Path priv = tmp.resolve("k.pem");
    Path pub = tmp.resolve("k.pub");
    run(new KeygenCommand(), "--private-key", priv, "--public-key", pub);
    Path sig = tmp.resolve("model.sig");
    assertEquals(0, run(new SignCommand(), "key", model, "--signature", sig, "--private-key", priv).code());
    Files.writeString(model.resolve("weights.bin"), "poisoned");
    Run v = run(new VerifyCommand(), "key", model, "--signature", sig, "--public-key", pub, "--json");
    assertEquals(1, v.code());
    assertTrue(v.err().contains("changed: weights.bin"), v.err());
    JsonNode n = new ObjectMapper().readTree(v.out());
    assertFalse(n.get("verified").asBoolean());
    assertEquals("MANIFEST_MISMATCH", n.get("code").asText());
  }

  @Test
  void usageErrors_exitTwo() {
    assertEquals(2, run(new VerifyCommand()).code(), "missing subcommand");
    assertEquals(2, run(new VerifyCommand(), "key", model).code(), "missing --signature/--public-key");
    assertEquals(2, run(new VerifyCommand(), "sigstore", model, "--signature", "x", "--trust-root", "r").code(),
        "identity and issuer are required");
    assertEquals(2, run(new SignCommand(), "key", model, "--private-key", "k", "--method", "blocks").code());
    assertEquals(2, run(new DigestCommand(), "--no-such-option", model).code());
    assertEquals(2, run(new SignCommand()).code());
  }

  @Test
  void modelSigningFixtures_verifyWithTheCli_inAllThreeModes() {
    Path keys = Fixtures.mt("keys/certificate");
    Path dir = Fixtures.mt("v1.1.0-elliptic-key");
    Run key = run(new VerifyCommand(), "key", dir, "--signature", dir.resolve("model.sig"), "--public_key",
        keys.resolve("signing-key-pub.pem"), "--ignore-paths", dir.resolve("ignore-me"));
    assertEquals(0, key.code(), key.err());
    Path cdir = Fixtures.mt("v1.0.1-certificate");
    Run cert = run(new VerifyCommand(), "certificate", cdir, "--signature", cdir.resolve("model.sig"),
        "--certificate-chain", keys.resolve("ca-cert.pem"), "--ignore-paths", cdir.resolve("ignore-me"));
    assertEquals(0, cert.code(), cert.err());
    Path sdir = Fixtures.mt("v1.0.0-sigstore");
    Run keyless = run(new VerifyCommand(), "sigstore", sdir, "--signature", sdir.resolve("model.sig"),
        "--identity", "stefanb@us.ibm.com", "--identity-provider", "https://sigstore.verify.ibm.com/oauth2",
        "--trust-root", Fixtures.publicGoodRoot(), "--json");
    assertEquals(0, keyless.code(), keyless.err());
    assertTrue(keyless.out().contains("\"issuer\":\"https://sigstore.verify.ibm.com/oauth2\""), keyless.out());
    Run wrong = run(new VerifyCommand(), "sigstore", sdir, "--signature", sdir.resolve("model.sig"),
        "--identity-regex", ".*@example\\.com", "--identity-provider", "https://sigstore.verify.ibm.com/oauth2",
        "--trust-root", Fixtures.publicGoodRoot());
    assertEquals(1, wrong.code());
    assertTrue(wrong.err().contains("identity_mismatch"), wrong.err());
  }

  @Test
  void signCertificate_thenVerifyCertificate_withIdentity() throws Exception {
    var chain = TestPki.chain("release@example.com");
    Path key = tmp.resolve("leaf.key");
    Files.writeString(key, Pem.privateKeyPem(chain.leafKey().getPrivate()));
    Path leaf = tmp.resolve("leaf.pem");
    Files.writeString(leaf, Pem.certificatePem(chain.leaf()));
    Path inter = tmp.resolve("int.pem");
    Files.writeString(inter, Pem.certificatePem(chain.intermediate()));
    Path root = tmp.resolve("root.pem");
    Files.writeString(root, Pem.certificatePem(chain.root()));
    Path sig = model.resolve("model.sig");
    Run s = run(new SignCommand(), "certificate", model, "--signature", sig, "--private-key", key,
        "--signing-certificate", leaf, "--certificate-chain", inter, "--method", "shards", "--shard-size", "4");
    assertEquals(0, s.code(), s.err());
    Run ok = run(new VerifyCommand(), "certificate", model, "--signature", sig, "--certificate-chain", root,
        "--identity", "release@example.com");
    assertEquals(0, ok.code(), ok.err());
    Run wrongId = run(new VerifyCommand(), "certificate", model, "--signature", sig, "--certificate-chain", root,
        "--identity", "intern@example.com");
    assertEquals(1, wrongId.code());
    assertTrue(wrongId.err().contains("identity_mismatch"), wrongId.err());
  }

  @Test
  void forcedProgress_goesToStderr_only() throws Exception {
    Path priv = tmp.resolve("k.pem");
    run(new KeygenCommand(), "--private-key", priv, "--public-key", tmp.resolve("k.pub"));
    Run s = run(new SignCommand(), "key", model, "--signature", tmp.resolve("s.sig"), "--private-key", priv, "--progress");
    assertEquals(0, s.code());
    assertTrue(s.err().contains("hashed 13 B / 13 B (100%)"), s.err());
    assertFalse(s.out().contains("hashed"));
  }

  @Test
  void digest_printsModelSigningRootDigest_forShards() throws Exception {
    Path f = tmp.resolve("file_model");
    Files.writeString(f, "This is a simple model");
    JsonNode golden = new ObjectMapper().readTree(Fixtures.mt("goldens/sample_model_file_small_shards.json").toFile());
    Run d = run(new DigestCommand(), f, "--method", "shards", "--shard-size", "8");
    assertEquals(golden.at("/subject/0/digest/sha256").asText(), d.out().trim());
    List<String> lines = new ArrayList<>(d.out().lines().toList());
    assertEquals(1, lines.size());
  }
}
