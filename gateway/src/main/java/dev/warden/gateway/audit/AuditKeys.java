package dev.warden.gateway.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Ed25519 keys for the audit trail: generate, read and write PEM (PKCS#8 {@code PRIVATE KEY},
 * X.509 {@code PUBLIC KEY}; the same files {@code openssl genpkey -algorithm ed25519} and
 * {@code openssl pkey -pubout} produce), derive the public key of a private key, and name a key by
 * its {@linkplain #keyId(PublicKey) key id}.
 *
 * <h2>Security guarantees</h2>
 * Keys come from {@link SecureRandom} (via the JDK's Ed25519 generator). Private key files are
 * created new with owner-only permissions (0600 on POSIX file systems) and never overwritten.
 * Encrypted PEM files are refused with a clear message rather than guessed at.
 */
public final class AuditKeys {
  private AuditKeys() {}

  private static final String PRIVATE_LABEL = "PRIVATE KEY";
  private static final String PUBLIC_LABEL = "PUBLIC KEY";

  /** A fresh Ed25519 key pair. */
  public static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(255, new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519 key generator", e);
    }
  }

  /** First 16 bytes of SHA-256 over the key's X.509 encoding, hex; what checkpoints carry. */
  public static String keyId(PublicKey key) {
    return AuditFormat.keyId(toJdkPublic(key));
  }

  /** Reads an unencrypted PKCS#8 Ed25519 private key ({@code -----BEGIN PRIVATE KEY-----}). */
  public static PrivateKey readPrivateKey(Path pem) throws IOException {
    byte[] der = readPem(pem, PRIVATE_LABEL);
    try {
      return toJdkPrivate(der);
    } catch (IllegalArgumentException e) {
      throw new IOException(pem + ": " + e.getMessage(), e);
    }
  }

  /** Reads an X.509 SubjectPublicKeyInfo Ed25519 public key ({@code -----BEGIN PUBLIC KEY-----}). */
  public static PublicKey readPublicKey(Path pem) throws IOException {
    byte[] der = readPem(pem, PUBLIC_LABEL);
    try {
      return toJdkPublic(der);
    } catch (IllegalArgumentException e) {
      throw new IOException(pem + ": " + e.getMessage(), e);
    }
  }

  /** Writes a new private key file with owner-only permissions; refuses to overwrite. */
  public static void writePrivateKey(Path pem, PrivateKey key) throws IOException {
    byte[] text = pem(PRIVATE_LABEL, toJdkPrivate(key.getEncoded()).getEncoded());
    boolean posix = Files.getFileStore(parentOf(pem)).supportsFileAttributeView("posix");
    if (posix) {
      Files.createFile(
          pem,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(pem);
    }
    Files.write(pem, text, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    if (posix) {
      Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-------"));
    }
  }

  /** Writes a new public key file; refuses to overwrite. */
  public static void writePublicKey(Path pem, PublicKey key) throws IOException {
    byte[] text = pem(PUBLIC_LABEL, toJdkPublic(key).getEncoded());
    Files.write(pem, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** The public half of an Ed25519 private key. */
  public static PublicKey publicKeyOf(PrivateKey key) {
    PrivateKey k = toJdkPrivate(key.getEncoded());
    byte[] seed =
        ((EdECPrivateKey) k)
            .getBytes()
            .orElseThrow(() -> new IllegalArgumentException("Ed25519 private key without bytes"));
    byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
    // SubjectPublicKeyInfo for Ed25519 (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING }
    byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    byte[] spki = new byte[prefix.length + raw.length];
    System.arraycopy(prefix, 0, spki, 0, prefix.length);
    System.arraycopy(raw, 0, spki, prefix.length, raw.length);
    java.util.Arrays.fill(seed, (byte) 0);
    return toJdkPublic(spki);
  }

  // ---- conversions: every key is normalised to a JDK (SunEC) Ed25519 key -------------------

  static PrivateKey toJdkPrivate(byte[] pkcs8) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException first) {
      // PKCS#8 v2 (with the public key attached) or a key from another provider: re-encode as v1.
      try {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
        if (!"1.3.101.112".equals(info.getPrivateKeyAlgorithm().getAlgorithm().getId())) {
          throw new IllegalArgumentException(
              "not an Ed25519 private key (algorithm OID "
                  + info.getPrivateKeyAlgorithm().getAlgorithm().getId() + ")");
        }
        byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
        PrivateKeyInfo v1 = new PrivateKeyInfo(info.getPrivateKeyAlgorithm(),
            new org.bouncycastle.asn1.DEROctetString(seed));
        return KeyFactory.getInstance("Ed25519")
            .generatePrivate(new PKCS8EncodedKeySpec(v1.getEncoded()));
      } catch (IllegalArgumentException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalArgumentException("not a PKCS#8 Ed25519 private key: " + first.getMessage(), e);
      }
    }
  }

  static PublicKey toJdkPublic(PublicKey key) {
    return toJdkPublic(key.getEncoded());
  }

  static PublicKey toJdkPublic(byte[] spki) {
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(spki);
      String oid = info.getAlgorithm().getAlgorithm().getId();
      if (!"1.3.101.112".equals(oid)) {
        throw new IllegalArgumentException("not an Ed25519 public key (algorithm OID " + oid + ")");
      }
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("not an X.509 Ed25519 public key: " + e.getMessage(), e);
    }
  }

  // ---- PEM ------------------------------------------------------------------------------------

  private static byte[] readPem(Path file, String label) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    if (text.contains("ENCRYPTED")) {
      throw new IOException(file + ": encrypted PEM keys are not supported; decrypt it first "
          + "(openssl pkey -in KEY -out PLAIN)");
    }
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    int e = b < 0 ? -1 : text.indexOf(end, b);
    if (b < 0 || e < 0) {
      throw new IOException(file + ": no '" + begin + "' block found");
    }
    String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException ex) {
      throw new IOException(file + ": PEM body is not valid base64", ex);
    }
  }

  private static byte[] pem(String label, byte[] der) {
    String b64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static Path parentOf(Path p) {
    Path parent = p.toAbsolutePath().getParent();
    return parent != null ? parent : p.toAbsolutePath();
  }
}
