package dev.warden.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditKeysTest {
  @TempDir Path dir;

  @Test
  void pemRoundTrip_givesTheSameKeys() throws IOException {
    KeyPair kp = AuditKeys.generate();
    Path priv = dir.resolve("k.pem");
    Path pub = dir.resolve("k.pub.pem");
    AuditKeys.writePrivateKey(priv, kp.getPrivate());
    AuditKeys.writePublicKey(pub, kp.getPublic());
    assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----\n"));
    assertArrayEquals(kp.getPrivate().getEncoded(), AuditKeys.readPrivateKey(priv).getEncoded());
    assertArrayEquals(kp.getPublic().getEncoded(), AuditKeys.readPublicKey(pub).getEncoded());
  }

  @Test
  void privateKeyFile_isOwnerOnly_andNeverOverwritten() throws IOException {
    Assumptions.assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"),
        "needs a POSIX file system");
    Path priv = dir.resolve("k.pem");
    AuditKeys.writePrivateKey(priv, AuditKeys.generate().getPrivate());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
    byte[] first = Files.readAllBytes(priv);
    assertThrows(FileAlreadyExistsException.class,
        () -> AuditKeys.writePrivateKey(priv, AuditKeys.generate().getPrivate()));
    assertArrayEquals(first, Files.readAllBytes(priv));
  }

  @Test
  void publicKeyOf_derivesTheMatchingPublicKey() {
    KeyPair kp = AuditKeys.generate();
    assertArrayEquals(kp.getPublic().getEncoded(),
        AuditKeys.publicKeyOf(kp.getPrivate()).getEncoded());
  }

  @Test
  void keyId_isTheFirst16BytesOfTheSha256OfTheEncodedKey() {
    PublicKey k = AuditKeys.generate().getPublic();
    assertEquals(AuditFiles.sha256Hex(k.getEncoded()).substring(0, 32), AuditKeys.keyId(k));
  }

  @Test
  void publicKeyGivenAsPrivate_isRefusedNamingTheFile() throws IOException {
    Path pub = dir.resolve("k.pub.pem");
    AuditKeys.writePublicKey(pub, AuditKeys.generate().getPublic());
    IOException e = assertThrows(IOException.class, () -> AuditKeys.readPrivateKey(pub));
    assertTrue(e.getMessage().contains(pub.toString()) && e.getMessage().contains("PRIVATE KEY"));
  }

  @Test
  void encryptedPem_isRefusedWithAHint() throws IOException {
    Path p = dir.resolve("enc.pem");
    Files.writeString(p, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
    IOException e = assertThrows(IOException.class, () -> AuditKeys.readPrivateKey(p));
    assertTrue(e.getMessage().contains("encrypted"));
  }

  @Test
  void nonEd25519PublicKey_isRefused() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    Path p = dir.resolve("ec.pem");
    Files.writeString(p, "-----BEGIN PUBLIC KEY-----\n"
        + java.util.Base64.getMimeEncoder().encodeToString(g.generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
    IOException e = assertThrows(IOException.class, () -> AuditKeys.readPublicKey(p));
    assertTrue(e.getMessage().contains("Ed25519"), e.getMessage());
  }

  /** Keys made by OpenSSL work, and ours are what OpenSSL derives. */
  @Test
  void opensslKeys_signLogsThatVerify() throws Exception {
    boolean ci = "true".equals(System.getenv("CI"));
    boolean have = hasOpenssl();
    if (!ci) Assumptions.assumeTrue(have, "install openssl (apt-get install -y openssl)");
    Path priv = dir.resolve("openssl.pem");
    Path pub = dir.resolve("openssl.pub.pem");
    run("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
    run("openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pub.toString());
    PrivateKey k = AuditKeys.readPrivateKey(priv);
    PublicKey p = AuditKeys.readPublicKey(pub);
    assertArrayEquals(p.getEncoded(), AuditKeys.publicKeyOf(k).getEncoded());
    Path log = dir.resolve("audit.jsonl");
    try (AuditLog l = AuditLog.open(log, k, 2, "r1")) {
      for (int i = 0; i < 3; i++) l.append(AuditFiles.event(i));
    }
    assertTrue(AuditVerifier.verify(log, p, true).ok());
  }

  private static boolean hasOpenssl() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start()
          .waitFor(20, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
  }
}
