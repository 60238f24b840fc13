package dev.warden.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Signatures made by model_signing v0.3.1, v1.0.x and v1.1.x verify in all three modes. */
class ModelSigningFixturesTest {

  static Path model(String version, String mode) {
    Path dir = Fixtures.mt(version + "-" + mode);
    boolean singleFile = mode.equals("elliptic-key") && (version.equals("v0.3.1") || version.equals("v1.0.0"));
    return singleFile ? dir.resolve("signme-1") : dir;
  }

  static List<String> ignores(String version) {
    return version.startsWith("v1.0.1") || version.startsWith("v1.1") ? List.of("ignore-me") : List.of();
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"})
  void keyModeFixture_verifies(String version) throws Exception {
    var authority = new KeyAuthority(Pem.readPublicKey(Fixtures.mt("keys/certificate/signing-key-pub.pem")));
    VerifiedModel v = ModelVerifier.builder(authority).ignorePaths(ignores(version)).build()
        .verify(model(version, "elliptic-key"), Fixtures.mt(version + "-elliptic-key/model.sig"));
    assertTrue(v.signer().identity().startsWith("key:sha256:"));
    assertEquals(64, v.rootDigest().length());
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"})
  void certificateModeFixture_verifies(String version) throws Exception {
    var anchors = Pem.readCertificates(List.of(Fixtures.mt("keys/certificate/ca-cert.pem")));
    VerifiedModel v = ModelVerifier.builder(new CertificateChainAuthority(anchors, IdentityPolicy.any()))
        .ignorePaths(ignores(version)).build()
        .verify(model(version, "certificate"), Fixtures.mt(version + "-certificate/model.sig"));
    assertEquals(2, v.files());
  }

  @ParameterizedTest
  @ValueSource(strings = {"v0.3.1", "v1.0.0", "v1.0.1", "v1.1.0"})
  void keylessFixture_verifiesOffline(String version) throws Exception {
    var authority = new KeylessAuthority(Fixtures.publicGoodRoot(),
        KeylessAuthority.Match.exact("stefanb@us.ibm.com"),
        KeylessAuthority.Match.exact("https://sigstore.verify.ibm.com/oauth2"));
    VerifiedModel v = ModelVerifier.builder(authority).ignorePaths(ignores(version)).build()
        .verify(model(version, "sigstore"), Fixtures.mt(version + "-sigstore/model.sig"));
    assertEquals("stefanb@us.ibm.com", v.signer().identity());
    assertEquals("https://sigstore.verify.ibm.com/oauth2", v.signer().issuer());
  }

  @Test
  void keylessFixture_wrongIdentity_isRefused() throws Exception {
    var authority = new KeylessAuthority(Fixtures.publicGoodRoot(),
        KeylessAuthority.Match.exact("someone-else@example.com"),
        KeylessAuthority.Match.exact("https://sigstore.verify.ibm.com/oauth2"));
    var e = assertThrows(VerificationException.class, () -> ModelVerifier.builder(authority)
        .ignorePaths(List.of("ignore-me")).build()
        .verify(model("v1.1.0", "sigstore"), Fixtures.mt("v1.1.0-sigstore/model.sig")));
    assertEquals(VerificationException.Reason.IDENTITY_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("someone-else@example.com"), e.getMessage());
  }

  @Test
  void keylessFixture_wrongIssuer_isRefused() throws Exception {
    var authority = new KeylessAuthority(Fixtures.publicGoodRoot(),
        KeylessAuthority.Match.regex("stefanb@.*"),
        KeylessAuthority.Match.exact("https://accounts.google.com"));
    var e = assertThrows(VerificationException.class, () -> ModelVerifier.builder(authority)
        .ignorePaths(List.of("ignore-me")).build()
        .verify(model("v1.1.0", "sigstore"), Fixtures.mt("v1.1.0-sigstore/model.sig")));
    assertEquals(VerificationException.Reason.IDENTITY_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("issuer"), e.getMessage());
  }

  @Test
  void fixtureWithoutIgnore_reportsTheExtraFile() throws Exception {
    var authority = new KeyAuthority(Pem.readPublicKey(Fixtures.mt("keys/certificate/signing-key-pub.pem")));
    // v1.1.0 recorded ignore-me in the signed ignore_paths, so it verifies even without --ignore-paths
    ModelVerifier.builder(authority).build()
        .verify(model("v1.1.0", "elliptic-key"), Fixtures.mt("v1.1.0-elliptic-key/model.sig"));
  }

  @Test
  void fixtureCopy_withTamperedFile_isRefused(@TempDir Path tmp) throws Exception {
    Path copy = tmp.resolve("m");
    Files.createDirectories(copy);
    for (String f : List.of("signme-1", "signme-2", "ignore-me", "model.sig")) {
      Files.copy(Fixtures.mt("v1.1.0-elliptic-key/" + f), copy.resolve(f));
    }
    Files.writeString(copy.resolve("signme-2"), "tampered");
    var authority = new KeyAuthority(Pem.readPublicKey(Fixtures.mt("keys/certificate/signing-key-pub.pem")));
    var e = assertThrows(VerificationException.class,
        () -> ModelVerifier.builder(authority).build().verify(copy, copy.resolve("model.sig")));
    assertEquals(VerificationException.Reason.MANIFEST_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("changed: signme-2"), e.getMessage());
  }
}
