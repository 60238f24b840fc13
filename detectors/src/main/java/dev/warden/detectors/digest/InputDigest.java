package dev.warden.detectors.digest;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A 32-byte input digest (HMAC-SHA-256 of the canonical encoding). {@link #equals} compares in
 * constant time. Safe to log (it reveals nothing about the input without the server key).
 */
public final class InputDigest {
  private final byte[] bytes;

  InputDigest(byte[] bytes) { this.bytes = bytes; }

  /**
   * Parses 64 hex characters.
   *
   * @throws IllegalArgumentException if not 64 hex characters
   */
  public static InputDigest fromHex(String hex) {
    if (hex == null || hex.length() != 64) throw new IllegalArgumentException("digest must be 64 hex characters");
    try {
      return new InputDigest(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("digest is not hexadecimal: " + hex);
    }
  }

  /** Copy of the 32 bytes. */
  public byte[] bytes() { return bytes.clone(); }

  /** Lower-case hex. */
  public String hex() { return HexFormat.of().formatHex(bytes); }

  /** The first 8 bytes as a long (a well-mixed key for hash tables). */
  public long prefix64() {
    long v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | (bytes[i] & 0xFF);
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputDigest d && MessageDigest.isEqual(bytes, d.bytes);
  }

  @Override
  public int hashCode() { return (int) prefix64(); }

  @Override
  public String toString() { return hex(); }
}
