package dev.warden.crypto.he.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A deterministic stream of bytes expanded from a 32-byte seed with AES-256 in counter mode (the JDK's
 * AES, hardware-accelerated where the CPU has AES-NI).
 *
 * <p>Two uses: (1) the public uniform polynomial {@code a} of keys and secret-key ciphertexts is
 * {@code Prng(seed)}, so only the 32-byte seed travels; (2) secret randomness (secret key, errors,
 * ephemeral ternaries) is drawn from a {@code Prng} whose seed comes from {@link SecureRandom} — one
 * SecureRandom call per sampling job instead of one per coefficient. AES-CTR with a uniformly random key
 * is a PRG under the PRF assumption on AES; a seed is used for one stream only.
 *
 * <p>Not thread-safe (a stream has a position).
 */
public final class Prng {
  /** Seed length in bytes (AES-256 key). */
  public static final int SEED_BYTES = 32;
  private static final int BLOCK = 4096;

  private final Cipher cipher;
  private final byte[] zeros = new byte[BLOCK];
  private final byte[] buf = new byte[BLOCK];
  private final ByteBuffer view = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
  private int pos = BLOCK;

  public Prng(byte[] seed) {
    if (seed == null || seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("PRNG seed must be " + SEED_BYTES + " bytes");
    }
    try {
      cipher = Cipher.getInstance("AES/CTR/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR unavailable", e);
    }
  }

  /** A stream seeded from {@code random} (the only way secret randomness enters the library). */
  public static Prng fromSecureRandom(SecureRandom random) {
    byte[] seed = newSeed(random);
    Prng p = new Prng(seed);
    Arrays.fill(seed, (byte) 0);
    return p;
  }

  public static byte[] newSeed(SecureRandom random) {
    byte[] seed = new byte[SEED_BYTES];
    random.nextBytes(seed);
    return seed;
  }

  private void refill() {
    try {
      cipher.update(zeros, 0, BLOCK, buf, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    pos = 0;
  }

  public long nextLong() {
    if (pos > BLOCK - 8) {
      refill();
    }
    long v = view.getLong(pos);
    pos += 8;
    return v;
  }
}
