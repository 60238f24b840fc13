package dev.warden.verifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** Generates ECDSA signing keys and writes them as PEM (private key file mode 0600). */
public final class KeyGenerator {
  private KeyGenerator() {}

  /** A fresh key pair on {@code curve}, from {@link SecureRandom}. */
  public static KeyPair generate(EcCurve curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve.curveName()), new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + curve, e);
    }
  }

  /**
   * Writes {@code privateOut} (PKCS#8 PEM, created with mode 0600, never overwritten) and {@code publicOut}
   * (SPKI PEM).
   */
  public static void write(KeyPair kp, Path privateOut, Path publicOut) throws IOException {
    if (Files.exists(privateOut)) {
      throw new IOException("refusing to overwrite existing private key " + privateOut);
    }
    try {
      Files.createFile(privateOut, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(privateOut);
    }
    Files.writeString(privateOut, Pem.privateKeyPem(kp.getPrivate()));
    Files.writeString(publicOut, Pem.publicKeyPem(kp.getPublic()));
  }
}
