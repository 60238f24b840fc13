package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** PEM reading and writing of EC keys and certificates, and the {@code publicKey.hint} of a key. */
public final class Pem {
  /** Upper bound on a PEM file: chains are a few KB. */
  static final long MAX_PEM_BYTES = 1L << 20;

  private Pem() {}

  /** Reads a {@code PUBLIC KEY} (SubjectPublicKeyInfo) PEM. */
  public static PublicKey readPublicKey(Path file) throws VerificationException {
    Object o = first(file);
    try {
      if (o instanceof SubjectPublicKeyInfo spki) {
        return new JcaPEMKeyConverter().getPublicKey(spki);
      }
      if (o instanceof X509CertificateHolder h) {
        return new JcaX509CertificateConverter().getCertificate(h).getPublicKey();
      }
    } catch (Exception e) {
      throw new VerificationException(Reason.UNSUPPORTED, "cannot decode public key in " + file + ": " + e.getMessage(), e);
    }
    throw new VerificationException(Reason.UNSUPPORTED, file + " does not hold a PEM public key");
  }

  /** Parses a {@code PUBLIC KEY} PEM from bytes. */
  public static PublicKey parsePublicKey(byte[] pem) throws VerificationException {
    try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
      Object o = p.readObject();
      if (o instanceof SubjectPublicKeyInfo spki) {
        return new JcaPEMKeyConverter().getPublicKey(spki);
      }
    } catch (IOException e) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "unparsable PEM public key: " + e.getMessage(), e);
    }
    throw new VerificationException(Reason.BUNDLE_MALFORMED, "not a PEM public key");
  }

  /**
   * Reads a private key PEM: PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or encrypted
   * PKCS#8 / legacy-encrypted SEC1 when {@code password} is given.
   */
  public static PrivateKey readPrivateKey(Path file, char[] password) throws VerificationException {
    Object o = first(file);
    try {
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo pki) {
        return conv.getPrivateKey(pki);
      }
      if (o instanceof PEMKeyPair kp) {
        return conv.getKeyPair(kp).getPrivate();
      }
      if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
        requirePassword(file, password);
        return conv.getPrivateKey(enc.decryptPrivateKeyInfo(
            new JceOpenSSLPKCS8DecryptorProviderBuilder().build(password)));
      }
      if (o instanceof PEMEncryptedKeyPair enc) {
        requirePassword(file, password);
        return conv.getKeyPair(enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().build(password))).getPrivate();
      }
    } catch (VerificationException e) {
      throw e;
    } catch (Exception e) {
      throw new VerificationException(Reason.UNSUPPORTED, "cannot decode private key in " + file + ": " + e.getMessage(), e);
    }
    throw new VerificationException(Reason.UNSUPPORTED, file + " does not hold a PEM private key");
  }

  private static void requirePassword(Path file, char[] password) throws VerificationException {
    if (password == null) {
      throw new VerificationException(Reason.UNSUPPORTED, file + " is encrypted; a password is required");
    }
  }

  /** Reads every certificate of one or more PEM files, in order. */
  public static List<X509Certificate> readCertificates(List<Path> files) throws VerificationException {
    List<X509Certificate> out = new ArrayList<>();
    for (Path f : files) {
      try (PEMParser p = new PEMParser(reader(f))) {
        Object o;
        while ((o = p.readObject()) != null) {
          if (o instanceof X509CertificateHolder h) {
            out.add(new JcaX509CertificateConverter().getCertificate(h));
          }
        }
      } catch (IOException | java.security.cert.CertificateException e) {
        throw new VerificationException(Reason.UNSUPPORTED, "cannot read certificates from " + f + ": " + e.getMessage(), e);
      }
    }
    if (out.isEmpty()) {
      throw new VerificationException(Reason.UNSUPPORTED, "no PEM certificate found in " + files);
    }
    return out;
  }

  /** The public key's PEM exactly as OpenSSL / Python {@code cryptography} write it (64 columns). */
  public static String publicKeyPem(PublicKey key) {
    return wrap("PUBLIC KEY", key.getEncoded());
  }

  /** Unencrypted PKCS#8 PEM of a private key. */
  public static String privateKeyPem(PrivateKey key) {
    return wrap("PRIVATE KEY", key.getEncoded());
  }

  /** PEM of a certificate. */
  public static String certificatePem(X509Certificate cert) {
    try {
      return wrap("CERTIFICATE", cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String wrap(String label, byte[] der) {
    String b64 = Base64.getEncoder().encodeToString(der);
    StringBuilder sb = new StringBuilder("-----BEGIN ").append(label).append("-----\n");
    for (int i = 0; i < b64.length(); i += 64) {
      sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
    }
    return sb.append("-----END ").append(label).append("-----\n").toString();
  }

  /** {@code publicKey.hint}: hex SHA-256 of {@link #publicKeyPem}. */
  public static String keyHint(PublicKey key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(publicKeyPem(key).getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key of an EC private key (Q = d·G on its curve). */
  public static PublicKey publicKeyOf(PrivateKey key) throws VerificationException {
    if (!(key instanceof ECPrivateKey ec)) {
      throw new VerificationException(Reason.UNSUPPORTED, "only elliptic-curve keys are supported, got " + key.getAlgorithm());
    }
    EcCurve curve = EcCurve.of(ec.getParams());
    ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec(curve.curveName());
    org.bouncycastle.math.ec.ECPoint q = spec.getG().multiply(ec.getS()).normalize();
    try {
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
          new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()), ec.getParams()));
    } catch (java.security.GeneralSecurityException e) {
      throw new VerificationException(Reason.UNSUPPORTED, "cannot derive public key: " + e.getMessage(), e);
    }
  }

  private static Object first(Path file) throws VerificationException {
    try (PEMParser p = new PEMParser(reader(file))) {
      Object o = p.readObject();
      if (o == null) {
        throw new VerificationException(Reason.UNSUPPORTED, file + " holds no PEM object");
      }
      return o;
    } catch (IOException e) {
      throw new VerificationException(Reason.IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static Reader reader(Path f) throws IOException {
    if (Files.size(f) > MAX_PEM_BYTES) {
      throw new IOException(f + " is larger than " + MAX_PEM_BYTES + " bytes");
    }
    return new StringReader(Files.readString(f, StandardCharsets.US_ASCII));
  }
}
