package dev.warden.verifier;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import dev.warden.verifier.oms.Dsse;

/** Test-only PKI and bundle crafting. */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  private TestPki() {}

  /** A certificate for {@code subjectKey} signed by {@code issuerKey} (self-signed when issuer is null). */
  public static X509Certificate cert(String subject, PublicKey subjectKey, X509Certificate issuer, PrivateKey issuerKey,
      boolean ca, int keyUsage, String emailSan) throws Exception {
    Instant now = Instant.now();
    X500Name issuerName = issuer == null ? new X500Name(subject)
        : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    var b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject),
        subjectKey);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
    if (emailSan != null) {
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.rfc822Name, emailSan)));
    }
    String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
  }

  /** A root CA, an intermediate CA and a leaf for a signing key. */
  public record Chain(KeyPair rootKey, X509Certificate root, KeyPair intKey, X509Certificate intermediate,
      KeyPair leafKey, X509Certificate leaf) {}

  public static Chain chain(String leafEmail) throws Exception {
    KeyPair rk = KeyGenerator.generate(EcCurve.P256);
    X509Certificate root = cert("CN=Test Root", rk.getPublic(), null, rk.getPrivate(), true,
        KeyUsage.keyCertSign | KeyUsage.cRLSign, null);
    KeyPair ik = KeyGenerator.generate(EcCurve.P256);
    X509Certificate in = cert("CN=Test Intermediate", ik.getPublic(), root, rk.getPrivate(), true,
        KeyUsage.keyCertSign | KeyUsage.cRLSign, null);
    KeyPair lk = KeyGenerator.generate(EcCurve.P384);
    X509Certificate leaf = cert("CN=model signer,O=Example", lk.getPublic(), in, ik.getPrivate(), false,
        KeyUsage.digitalSignature, leafEmail);
    return new Chain(rk, root, ik, in, lk, leaf);
  }

  /** A key-mode bundle over arbitrary payload bytes and payload type (for malformed-statement tests). */
  public static byte[] keyBundle(KeyPair kp, String payloadType, byte[] payload, String hint) throws Exception {
    EcCurve c = EcCurve.of(kp.getPublic());
    Signature s = Signature.getInstance(c.signatureAlgorithm());
    s.initSign(kp.getPrivate());
    s.update(Dsse.pae(payloadType, payload));
    String sig = Base64.getEncoder().encodeToString(s.sign());
    String json = "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\",\"verificationMaterial\":{"
        + (hint == null ? "" : "\"publicKey\":{\"hint\":\"" + hint + "\"},") + "\"tlogEntries\":[]},"
        + "\"dsseEnvelope\":{\"payload\":\"" + Base64.getEncoder().encodeToString(payload) + "\",\"payloadType\":\""
        + payloadType + "\",\"signatures\":[{\"sig\":\"" + sig + "\",\"keyid\":\"\"}]}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
