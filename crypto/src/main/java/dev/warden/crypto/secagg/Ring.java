package dev.warden.crypto.secagg;

/**
 * The ring Z_2^32 or Z_2^64 in which masked vectors are added. Elements are held in {@code long}; Java's
 * wrapping {@code long} arithmetic is arithmetic mod 2^64, and since 2^32 divides 2^64 the 32-bit ring only
 * needs a final {@link #reduce} — intermediate sums may wrap freely.
 */
public enum Ring {
  /** Z_2^32: 4 bytes per entry on the wire. */
  Z2_32(32),
  /** Z_2^64: 8 bytes per entry on the wire. */
  Z2_64(64);

  private final int bits;

  Ring(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }

  /** Bytes per entry in the canonical (little-endian) encoding. */
  public int bytesPerEntry() {
    return bits / 8;
  }

  /** Canonical representative in [0, 2^bits) (for Z2_64: the raw two's-complement long). */
  public long reduce(long v) {
    return bits == 64 ? v : v & 0xffffffffL;
  }

  /** Centred (two's-complement) reading of an element: [-2^(bits-1), 2^(bits-1)). */
  public long toSigned(long v) {
    return bits == 64 ? v : (long) (int) v;
  }

  /** Largest sum of non-negative values that is read back exactly by {@link #toSigned}. */
  public long maxSignedSum() {
    return bits == 64 ? Long.MAX_VALUE : Integer.MAX_VALUE;
  }

  static Ring ofBits(int bits) {
    for (Ring r : values()) if (r.bits == bits) return r;
    throw SecAggException.malformed("unknown ring size " + bits);
  }

  void reduceInPlace(long[] v) {
    if (bits == 64) return;
    for (int i = 0; i < v.length; i++) v[i] &= 0xffffffffL;
  }

  byte[] encode(long[] v) {
    int w = bytesPerEntry();
    byte[] out = new byte[v.length * w];
    for (int i = 0, o = 0; i < v.length; i++) {
      long x = v[i];
      for (int k = 0; k < w; k++) out[o++] = (byte) (x >>> (8 * k));
    }
    return out;
  }

  long[] decode(byte[] b, int off, int entries) {
    int w = bytesPerEntry();
    long[] v = new long[entries];
    for (int i = 0, o = off; i < entries; i++) {
      long x = 0;
      for (int k = 0; k < w; k++) x |= (b[o++] & 0xffL) << (8 * k);
      v[i] = x;
    }
    return v;
  }
}
