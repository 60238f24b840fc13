package dev.warden.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.Manifest;
import dev.warden.verifier.hashing.ModelHasher;
import dev.warden.verifier.oms.InTotoStatement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless bundles made by an independent Sigstore implementation (sigstore-js {@code @sigstore/sign} against
 * {@code @sigstore/mock} services, offline) verify with Warden's keyless mode and its own trusted root.
 * Needs node and npm (Debian: {@code apt-get install -y nodejs npm}); skipped locally without them, never
 * when CI=true.
 */
class KeylessSigstoreJsTest {
  static final String EMAIL = "https://github.com/acme/models/.github/workflows/sign.yml@refs/heads/main";
  static final String ISSUER = "https://issuer.example.com";
  static Path npmDir;

  @BeforeAll
  static void installSigstoreJs() throws Exception {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    boolean haveNode = run(List.of("node", "--version"), Path.of("."), 30) == 0
        && run(List.of("npm", "--version"), Path.of("."), 60) == 0;
    if (!haveNode) {
      if (ci) {
        fail("node and npm are required when CI=true (apt-get install -y nodejs npm)");
      }
      Assumptions.abort("node/npm not installed: apt-get install -y nodejs npm");
    }
    npmDir = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve("sigstore-js");
    Files.createDirectories(npmDir);
    if (!Files.isDirectory(npmDir.resolve("node_modules/@sigstore/mock"))) {
      Files.writeString(npmDir.resolve("package.json"), "{\"name\":\"warden-sigstore-js\",\"private\":true}");
      int rc = run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
          "@sigstore/sign@5.1.0", "@sigstore/bundle@4", "@sigstore/mock@0.13.0"), npmDir, 300);
      assertEquals(0, rc, "npm install of sigstore-js failed (see output above)");
    }
    try (InputStream in = KeylessSigstoreJsTest.class.getResourceAsStream("/keyless/sign-keyless.js")) {
      Files.write(npmDir.resolve("sign-keyless.js"), in.readAllBytes());
    }
  }

  static int run(List<String> cmd, Path dir, int timeoutSeconds) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      if (p.exitValue() != 0) {
        System.err.println(String.join(" ", cmd) + ":\n" + new String(out, StandardCharsets.UTF_8));
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    }
  }

  record Signed(Path model, Path bundle, Path root) {}

  static Signed signKeyless(Path tmp, int logDelaySeconds) throws Exception {
    Path model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("weights.bin"), "weights".repeat(1000));
    Files.writeString(model.resolve("config.json"), "{}");
    Manifest m;
    try (ModelHasher h = new ModelHasher(1)) {
      m = h.hash(model, HashingOptions.files());
    }
    Path payload = tmp.resolve("statement.json");
    Files.write(payload, InTotoStatement.encode(m));
    Path bundle = tmp.resolve("model.sig");
    Path root = tmp.resolve("trusted_root.json");
    int rc = run(List.of("node", "sign-keyless.js", payload.toString(), bundle.toString(), root.toString(), EMAIL, ISSUER,
        Integer.toString(logDelaySeconds)), npmDir, 120);
    assertEquals(0, rc, "sign-keyless.js failed");
    return new Signed(model, bundle, root);
  }

  static ModelVerifier verifier(Path root, KeylessAuthority.Match id, KeylessAuthority.Match issuer) throws Exception {
    return ModelVerifier.builder(new KeylessAuthority(root, id, issuer)).build();
  }

  @Test
  void sigstoreJsBundle_verifiesOffline_exactAndRegex(@TempDir Path tmp) throws Exception {
    Signed s = signKeyless(tmp, 0);
    VerifiedModel v = verifier(s.root(), KeylessAuthority.Match.exact(EMAIL), KeylessAuthority.Match.exact(ISSUER))
        .verify(s.model(), s.bundle());
    assertEquals(EMAIL, v.signer().identity());
    assertEquals(ISSUER, v.signer().issuer());
    verifier(s.root(), KeylessAuthority.Match.regex("https://github\\.com/acme/.*"), KeylessAuthority.Match.regex("https://issuer\\..*"))
        .verify(s.model(), s.bundle());

    var wrongId = assertThrows(VerificationException.class, () -> verifier(s.root(),
        KeylessAuthority.Match.exact("https://github.com/mallory/models/.github/workflows/sign.yml@refs/heads/main"), KeylessAuthority.Match.exact(ISSUER)).verify(s.model(), s.bundle()));
    assertEquals(Reason.IDENTITY_MISMATCH, wrongId.reason());
    var wrongIssuer = assertThrows(VerificationException.class, () -> verifier(s.root(),
        KeylessAuthority.Match.exact(EMAIL), KeylessAuthority.Match.exact("https://accounts.google.com"))
        .verify(s.model(), s.bundle()));
    assertEquals(Reason.IDENTITY_MISMATCH, wrongIssuer.reason());
    // a regex must match the whole identity
    var partial = assertThrows(VerificationException.class, () -> verifier(s.root(),
        KeylessAuthority.Match.regex("https://github\\.com/acme"), KeylessAuthority.Match.exact(ISSUER)).verify(s.model(), s.bundle()));
    assertEquals(Reason.IDENTITY_MISMATCH, partial.reason());

    Files.writeString(s.model().resolve("config.json"), "{\"evil\":1}");
    var tampered = assertThrows(VerificationException.class, () -> verifier(s.root(),
        KeylessAuthority.Match.exact(EMAIL), KeylessAuthority.Match.exact(ISSUER)).verify(s.model(), s.bundle()));
    assertEquals(Reason.MANIFEST_MISMATCH, tampered.reason());
  }

  @Test
  void sigstoreJsBundle_withAnotherTrustedRoot_isRefused(@TempDir Path tmp) throws Exception {
    Signed s = signKeyless(tmp, 0);
    var e = assertThrows(VerificationException.class, () -> verifier(Fixtures.publicGoodRoot(),
        KeylessAuthority.Match.exact(EMAIL), KeylessAuthority.Match.exact(ISSUER)).verify(s.model(), s.bundle()));
    assertTrue(e.reason() == Reason.CERTIFICATE_UNTRUSTED || e.reason() == Reason.SIGNATURE_INVALID, e.toString());
  }

  @Test
  void logEntryAfterCertificateExpiry_isRefused(@TempDir Path tmp) throws Exception {
    // The mock CA issues 10-minute certificates; the log's clock runs 20 minutes ahead.
    Signed s = signKeyless(tmp, 20 * 60);
    var e = assertThrows(VerificationException.class, () -> verifier(s.root(),
        KeylessAuthority.Match.exact(EMAIL), KeylessAuthority.Match.exact(ISSUER)).verify(s.model(), s.bundle()));
    assertEquals(Reason.CERTIFICATE_UNTRUSTED, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("was not valid at the log's integrated time"), e.getMessage());
  }
}
