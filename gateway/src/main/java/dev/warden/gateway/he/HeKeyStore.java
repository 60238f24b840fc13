package dev.warden.gateway.he;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The gateway's store of per-tenant HE key material, on disk, encrypted at rest with AES-256-GCM under a
 * key-encryption key (KEK). One file per (tenant, model): {@code DIR/<tenant>/<model>.key}.
 *
 * <p>What is stored is the 32-byte seed from which the secret key is derived (see {@link KeySeedRandom}),
 * the key id under which the backend knows the evaluation keys, and the number of decryptions made with
 * it. The file is {@code "WHK1" | nonce(12) | AES-GCM(KEK, nonce, record, aad = "warden-he-key|tenant|model")},
 * so a file moved to another tenant or model, or modified, does not decrypt.
 *
 * <h2>Security guarantees</h2>
 * Secret seeds exist in plaintext only in this process's memory; files are written atomically with
 * mode 0600; the KEK comes from a file or an environment variable and is never logged. A wrong KEK or
 * a tampered file is an {@link IOException} naming the file, never a silently new key.
 */
public final class HeKeyStore {
  private static final byte[] MAGIC = "WHK1".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** A stored key set's record. {@code seed} is secret. */
  public static final class Entry {
    private final String keyId;
    private final byte[] seed;
    private final long uses;

    public Entry(String keyId, byte[] seed, long uses) {
      this.keyId = Objects.requireNonNull(keyId);
      this.seed = seed.clone();
      this.uses = uses;
    }

    public String keyId() {
      return keyId;
    }

    public byte[] seed() {
      return seed.clone();
    }

    public long uses() {
      return uses;
    }

    @Override
    public String toString() {
      return "HeKeyStore.Entry[" + keyId + ", uses=" + uses + "]";
    }
  }

  private final Path dir;
  private final byte[] kek;
  private final SecureRandom random;

  private HeKeyStore(Path dir, byte[] kek, SecureRandom random) {
    if (kek.length != 32) {
      throw new IllegalArgumentException("the HE key-encryption key must be 32 bytes (got " + kek.length + ")");
    }
    this.dir = dir;
    this.kek = kek.clone();
    this.random = random;
  }

  /** A store in {@code dir} under a 32-byte KEK. */
  public static HeKeyStore open(Path dir, byte[] kek, SecureRandom random) throws IOException {
    Files.createDirectories(dir);
    return new HeKeyStore(dir, kek, random);
  }

  /**
   * Reads a KEK: from {@code file} if given, else from environment variable {@code envName}. The value is
   * 32 raw bytes, 64 hex digits or base64 of 32 bytes (surrounding whitespace ignored).
   */
  public static byte[] readKek(Path file, String envName, Map<String, String> env) throws IOException {
    String text;
    if (file != null) {
      byte[] raw = Files.readAllBytes(file);
      if (raw.length == 32) {
        return raw;
      }
      text = new String(raw, StandardCharsets.US_ASCII).strip();
    } else if (envName != null && env.get(envName) != null) {
      text = env.get(envName).strip();
    } else {
      throw new IOException("no HE key-encryption key: set keyStore.kekFile or the environment variable "
          + (envName == null ? "(keyStore.kekEnv)" : envName));
    }
    if (text.matches("[0-9a-fA-F]{64}")) {
      return HexFormat.of().parseHex(text);
    }
    try {
      byte[] b = Base64.getDecoder().decode(text);
      if (b.length == 32) {
        return b;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new IOException("the HE key-encryption key must be 32 bytes as raw bytes, 64 hex digits or base64"
        + (file != null ? " (in " + file + ")" : " (in $" + envName + ")"));
  }

  /** Writes a fresh random KEK (base64) to {@code file}, mode 0600, unless it exists. */
  public static void createKekFile(Path file, SecureRandom random) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    byte[] k = new byte[32];
    random.nextBytes(k);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, Base64.getEncoder().encodeToString(k) + "\n");
    Arrays.fill(k, (byte) 0);
    restrict(file);
  }

  private Path file(String tenant, String model) {
    if (!NAME.matcher(tenant).matches() || !NAME.matcher(model).matches()) {
      throw new IllegalArgumentException("tenant and model names must match " + NAME.pattern());
    }
    return dir.resolve(tenant).resolve(model + ".key");
  }

  /** The stored entry, or null if none. */
  public synchronized Entry load(String tenant, String model) throws IOException {
    Path f = file(tenant, model);
    if (!Files.exists(f)) {
      return null;
    }
    byte[] data = Files.readAllBytes(f);
    if (data.length < 4 + 12 + 16 || !Arrays.equals(Arrays.copyOf(data, 4), MAGIC)) {
      throw new IOException("HE key file " + f + " is not a Warden key file");
    }
    byte[] plain;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, data, 4, 12));
      c.updateAAD(aad(tenant, model));
      plain = c.doFinal(data, 16, data.length - 16);
    } catch (GeneralSecurityException e) {
      throw new IOException("HE key file " + f + " does not decrypt (wrong key-encryption key or tampered file)");
    }
    try {
      ByteBuffer bb = ByteBuffer.wrap(plain);
      byte[] seed = new byte[32];
      bb.get(seed);
      long uses = bb.getLong();
      byte[] id = new byte[bb.remaining()];
      bb.get(id);
      Entry e = new Entry(new String(id, StandardCharsets.US_ASCII), seed, uses);
      Arrays.fill(seed, (byte) 0);
      return e;
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** Stores (replaces) the entry atomically. */
  public synchronized void store(String tenant, String model, Entry e) throws IOException {
    Path f = file(tenant, model);
    Files.createDirectories(f.getParent());
    byte[] id = e.keyId().getBytes(StandardCharsets.US_ASCII);
    byte[] seed = e.seed();
    ByteBuffer bb = ByteBuffer.allocate(32 + 8 + id.length);
    bb.put(seed).putLong(e.uses()).put(id);
    byte[] plain = bb.array();
    byte[] nonce = new byte[12];
    random.nextBytes(nonce);
    byte[] ct;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(aad(tenant, model));
      ct = c.doFinal(plain);
    } catch (GeneralSecurityException ex) {
      throw new IOException("cannot encrypt the HE key file: " + ex.getMessage());
    } finally {
      Arrays.fill(plain, (byte) 0);
      Arrays.fill(seed, (byte) 0);
    }
    ByteBuffer out = ByteBuffer.allocate(4 + 12 + ct.length).put(MAGIC).put(nonce).put(ct);
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer w = ByteBuffer.wrap(out.array());
      while (w.hasRemaining()) {
        ch.write(w);
      }
      ch.force(true); // the use count must survive a power loss, not only a process crash
    }
    restrict(tmp);
    try {
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException ex) {
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static byte[] aad(String tenant, String model) {
    return ("warden-he-key|" + tenant + "|" + model).getBytes(StandardCharsets.US_ASCII);
  }

  private static void restrict(Path f) throws IOException {
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not POSIX
    }
  }

  @Override
  public String toString() {
    return "HeKeyStore[" + dir + "]";
  }
}
