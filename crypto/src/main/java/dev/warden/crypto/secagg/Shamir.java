package dev.warden.crypto.secagg;

import java.security.SecureRandom;

/**
 * Shamir t-of-n sharing of 32-byte secrets over the prime field GF(p), p = 2^61 − 1 (a Mersenne prime, so
 * products reduce with shifts and adds on {@code long}s, branch-free). The secret is cut into five chunks
 * (four of 7 bytes, one of 4 bytes; every chunk &lt; 2^56 &lt; p) and each chunk is shared with its own
 * independent random polynomial of degree t − 1, evaluated at the holder's client index. Any t shares
 * determine every chunk by Lagrange interpolation at 0; any t − 1 shares are independent of the secret
 * (perfect secrecy per chunk, and the chunks' polynomials are independent).
 *
 * <p>A share is five field elements, 8 bytes each, big-endian: {@value #SHARE_BYTES} bytes.
 */
final class Shamir {
  private Shamir() {}

  static final long P = (1L << 61) - 1;
  static final int CHUNKS = 5;
  static final int SHARE_BYTES = 8 * CHUNKS;
  private static final int[] CHUNK_LEN = {7, 7, 7, 7, 4};

  static long mul(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    long x = (lo & P) + ((lo >>> 61) | (hi << 3));
    return reduceOnce(x);
  }

  static long add(long a, long b) {
    return reduceOnce(a + b);
  }

  static long sub(long a, long b) {
    return reduceOnce(a - b + P);
  }

  /** x in [0, 2p) → x mod p, without a branch. */
  private static long reduceOnce(long x) {
    long y = x - P;
    return y + (P & (y >> 63));
  }

  static long inv(long a) {
    if (a == 0) throw new ArithmeticException("zero has no inverse");
    long r = 1;
    long base = a;
    long e = P - 2;
    while (e != 0) {
      if ((e & 1) != 0) r = mul(r, base);
      base = mul(base, base);
      e >>>= 1;
    }
    return r;
  }

  private static long randomElement(SecureRandom random) {
    while (true) {
      long v = random.nextLong() >>> 3; // 61 bits
      if (v < P) return v;
    }
  }

  /** Shares of {@code secret} (32 bytes) for holders {@code xs} (distinct, ≥ 1), threshold t. */
  static byte[][] split(byte[] secret, int t, int[] xs, SecureRandom random) {
    if (secret.length != 32) throw new IllegalArgumentException("secret must be 32 bytes");
    if (t < 1 || t > xs.length) throw new IllegalArgumentException("threshold " + t + " not in [1, " + xs.length + "]");
    byte[][] out = new byte[xs.length][SHARE_BYTES];
    long[] coef = new long[t];
    int off = 0;
    for (int c = 0; c < CHUNKS; c++) {
      long s = 0;
      for (int k = 0; k < CHUNK_LEN[c]; k++) s = (s << 8) | (secret[off + k] & 0xff);
      off += CHUNK_LEN[c];
      coef[0] = s;
      for (int i = 1; i < t; i++) coef[i] = randomElement(random);
      for (int h = 0; h < xs.length; h++) {
        long x = xs[h];
        long y = 0;
        for (int i = t - 1; i >= 0; i--) y = add(mul(y, x), coef[i]);
        putLong(out[h], 8 * c, y);
      }
    }
    java.util.Arrays.fill(coef, 0);
    return out;
  }

  /** Lagrange coefficients λ_i with f(0) = Σ λ_i f(x_i). */
  static long[] lagrangeAtZero(int[] xs) {
    int m = xs.length;
    long[] lambda = new long[m];
    for (int i = 0; i < m; i++) {
      long num = 1;
      long den = 1;
      for (int j = 0; j < m; j++) {
        if (j == i) continue;
        num = mul(num, xs[j]);
        long d = sub(xs[j], xs[i]);
        if (d == 0) throw new IllegalArgumentException("duplicate share holder " + xs[i]);
        den = mul(den, d);
      }
      lambda[i] = mul(num, inv(den));
    }
    return lambda;
  }

  /** Reconstructs the secret from exactly the given shares (pass t of them). */
  static byte[] reconstruct(int[] xs, byte[][] ys) {
    if (xs.length != ys.length || xs.length == 0) throw new IllegalArgumentException("need matching, non-empty share lists");
    for (int x : xs) if (x < 1 || x >= P) throw new IllegalArgumentException("share holder out of range: " + x);
    long[] lambda = lagrangeAtZero(xs);
    byte[] secret = new byte[32];
    int off = 0;
    long bad = 0;
    for (int c = 0; c < CHUNKS; c++) {
      long s = 0;
      for (int i = 0; i < xs.length; i++) s = add(s, mul(lambda[i], element(ys[i], c)));
      bad |= s >>> (8 * CHUNK_LEN[c]);
      for (int k = CHUNK_LEN[c] - 1; k >= 0; k--) {
        secret[off + k] = (byte) s;
        s >>>= 8;
      }
      off += CHUNK_LEN[c];
    }
    if (bad != 0) {
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "shares are inconsistent (reconstructed value is not a 32-byte secret)");
    }
    return secret;
  }

  /** Checks that {@code share} encodes five field elements. */
  static void validate(byte[] share) {
    if (share.length != SHARE_BYTES) throw SecAggException.malformed("share value must be " + SHARE_BYTES + " bytes");
    for (int c = 0; c < CHUNKS; c++) {
      long v = getLong(share, 8 * c);
      if (v < 0 || v >= P) throw SecAggException.malformed("share value is not a field element");
    }
  }

  private static long element(byte[] share, int c) {
    long v = getLong(share, 8 * c);
    if (v < 0 || v >= P) throw SecAggException.malformed("share value is not a field element");
    return v;
  }

  private static void putLong(byte[] b, int off, long v) {
    for (int k = 7; k >= 0; k--) {
      b[off + k] = (byte) v;
      v >>>= 8;
    }
  }

  private static long getLong(byte[] b, int off) {
    long v = 0;
    for (int k = 0; k < 8; k++) v = (v << 8) | (b[off + k] & 0xff);
    return v;
  }
}
