package dev.warden.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Certificate mode: chain to a configured anchor, key usage, identity policy. */
class CertificateModeTest {
  @TempDir Path tmp;
  Path model;
  Path sig;
  TestPki.Chain chain;

  @BeforeEach
  void setUp() throws Exception {
    model = Files.createDirectories(tmp.resolve("model"));
    Files.writeString(model.resolve("w.bin"), "weights");
    sig = tmp.resolve("model.sig");
    chain = TestPki.chain("signer@example.com");
    ModelSigner.withCertificate(chain.leafKey().getPrivate(), chain.leaf(), List.of(chain.intermediate()), null)
        .sign(model, sig, HashingOptions.files(), HashProgress.NONE);
  }

  ModelVerifier verifier(List<java.security.cert.X509Certificate> anchors, IdentityPolicy p) {
    return ModelVerifier.builder(new CertificateChainAuthority(anchors, p)).build();
  }

  @Test
  void chainToConfiguredRoot_verifies_withIdentity() throws Exception {
    VerifiedModel v = verifier(List.of(chain.root()), IdentityPolicy.sanEquals("signer@example.com")).verify(model, sig);
    assertEquals("signer@example.com", v.signer().identity());
    verifier(List.of(chain.root()), IdentityPolicy.subjectMatches("O=Example,CN=model signer")).verify(model, sig);
  }

  @Test
  void chainToAnotherCa_isRefused() throws Exception {
    TestPki.Chain other = TestPki.chain("x@example.com");
    var e = assertThrows(VerificationException.class,
        () -> verifier(List.of(other.root()), IdentityPolicy.any()).verify(model, sig));
    assertEquals(Reason.CERTIFICATE_UNTRUSTED, e.reason());
    assertTrue(e.getMessage().contains("does not chain to a configured trust anchor"), e.getMessage());
  }

  @Test
  void wrongIdentity_isRefused() throws Exception {
    var e = assertThrows(VerificationException.class,
        () -> verifier(List.of(chain.root()), IdentityPolicy.sanEquals("mallory@example.com")).verify(model, sig));
    assertEquals(Reason.IDENTITY_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains("mallory@example.com"), e.getMessage());
  }

  @Test
  void leafWithoutSigningUsage_isRefused() throws Exception {
    var leafKey = KeyGenerator.generate(EcCurve.P256);
    var leaf = TestPki.cert("CN=enc only", leafKey.getPublic(), chain.intermediate(), chain.intKey().getPrivate(),
        false, KeyUsage.keyEncipherment, null);
    var e = assertThrows(VerificationException.class, () -> ModelSigner.withCertificate(leafKey.getPrivate(), leaf,
        List.of(chain.intermediate()), null));
    assertEquals(Reason.CERTIFICATE_UNTRUSTED, e.reason());
    assertTrue(e.getMessage().contains("neither digitalSignature nor codeSigning"));
  }

  @Test
  void modelSigningTestCa_signsWithWarden_andVerifies() throws Exception {
    var key = Pem.readPrivateKey(Fixtures.mt("keys/certificate/signing-key.pem"), null);
    var leaf = Pem.readCertificates(List.of(Fixtures.mt("keys/certificate/signing-key-cert.pem"))).get(0);
    var inter = Pem.readCertificates(List.of(Fixtures.mt("keys/certificate/int-ca-cert.pem")));
    ModelSigner.withCertificate(key, leaf, inter, null).sign(model, sig, HashingOptions.files(), HashProgress.NONE);
    var anchors = Pem.readCertificates(List.of(Fixtures.mt("keys/certificate/ca-cert.pem")));
    verifier(anchors, IdentityPolicy.any()).verify(model, sig);
  }

  @Test
  void keyHint_equalsModelSigningFixtureHint() throws Exception {
    var pub = Pem.readPublicKey(Fixtures.mt("keys/certificate/signing-key-pub.pem"));
    assertEquals("e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e", Pem.keyHint(pub));
    var priv = Pem.readPrivateKey(Fixtures.mt("keys/certificate/signing-key.pem"), null);
    assertEquals(Pem.keyHint(pub), Pem.keyHint(Pem.publicKeyOf(priv)));
  }
}
