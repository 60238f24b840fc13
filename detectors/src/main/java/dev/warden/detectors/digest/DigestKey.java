package dev.warden.detectors.digest;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The server's secret key for input digests (HMAC-SHA-256). Without it nobody can compute or predict
 * a digest, so a deny-list entry cannot be dodged by offline search for collisions, nor can a
 * client learn from a digest what another tenant sent. {@link #toString()} shows no key material.
 */
public final class DigestKey {
  /** Minimum key length: 256 bits, HMAC-SHA-256's full strength. */
  public static final int MIN_BYTES = 32;

  private final byte[] key;

  private DigestKey(byte[] key) { this.key = key; }

  /** A fresh 256-bit key from {@link SecureRandom}. */
  public static DigestKey generate() {
    byte[] k = new byte[MIN_BYTES];
    new SecureRandom().nextBytes(k);
    return new DigestKey(k);
  }

  /**
   * A key from stored bytes (copied).
   *
   * @throws IllegalArgumentException if shorter than {@value #MIN_BYTES} bytes
   */
  public static DigestKey fromBytes(byte[] key) {
    if (key == null || key.length < MIN_BYTES) {
      throw new IllegalArgumentException("digest key must have at least " + MIN_BYTES + " bytes");
    }
    return new DigestKey(key.clone());
  }

  byte[] material() { return key; }

  /** Wipes the key bytes; the key is unusable afterwards. */
  public void destroy() { Arrays.fill(key, (byte) 0); }

  @Override
  public String toString() { return "DigestKey[HMAC-SHA-256, " + key.length * 8 + " bits]"; }
}
