package dev.warden.crypto.he.ring;

import java.math.BigInteger;

/**
 * One word-sized prime modulus q &lt; 2^61 and the arithmetic on residues in [0, q).
 *
 * <p>Design. Every hot loop of the library multiplies residues modulo a prime below 2^61. Two reductions
 * are used, as in SEAL and Lattigo:
 * <ul>
 *   <li><b>Shoup</b> for a fixed operand w (NTT twiddles, constants): precompute w' = floor(w·2^64/q);
 *       then x·w mod q = x·w − mulhi(x, w')·q, a value in [0, 2q) ("lazy"), with one conditional
 *       subtraction to [0, q). Two multiplications and a high word, no division.</li>
 *   <li><b>Barrett</b> for two variable operands (ciphertext × ciphertext): the 128-bit product is
 *       multiplied by the precomputed ratio floor(2^128/q) (two words) and the quotient estimate is
 *       corrected by at most one subtraction.</li>
 * </ul>
 * Java 17 has no unsigned 64×64→128 high word: {@link #mulHiUnsigned} derives it from the signed
 * {@link Math#multiplyHigh} with the usual sign correction (add b when a's top bit is set and vice versa).
 * Final reductions are branch-free ({@link #reduceOnce}): the conditional subtraction is computed with
 * the sign of {@code x − q}, so timing does not depend on secret residues.
 *
 * <p>Instances are immutable and may be shared between threads.
 */
public final class Modulus {
  /** Largest prime size accepted: 2^61 leaves the headroom the lazy NTT needs (values up to 4q &lt; 2^63). */
  public static final int MAX_BITS = 61;

  private final long q;
  private final long twoQ;
  private final int bits;
  /** floor(2^128 / q), low and high word. */
  private final long ratioLo;
  private final long ratioHi;

  public Modulus(long q) {
    if (q < 3 || 64 - Long.numberOfLeadingZeros(q) > MAX_BITS) {
      throw new IllegalArgumentException("modulus must be in (2, 2^61): " + q);
    }
    this.q = q;
    this.twoQ = 2 * q;
    this.bits = 64 - Long.numberOfLeadingZeros(q);
    BigInteger ratio = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(q));
    this.ratioLo = ratio.longValue();
    this.ratioHi = ratio.shiftRight(64).longValue();
  }

  public long value() {
    return q;
  }

  public int bits() {
    return bits;
  }

  /** Unsigned high word of the 128-bit product a·b. */
  public static long mulHiUnsigned(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /** x in [0, 2q) → x mod q, branch-free. */
  public long reduceOnce(long x) {
    long y = x - q;
    return y + ((y >> 63) & q);
  }

  /** Branch-free: x in [0, 2·m) → x mod m. */
  public static long reduceOnce(long x, long m) {
    long y = x - m;
    return y + ((y >> 63) & m);
  }

  public long add(long a, long b) {
    return reduceOnce(a + b);
  }

  public long sub(long a, long b) {
    long d = a - b;
    return d + ((d >> 63) & q);
  }

  public long neg(long a) {
    long d = q - a;
    return d & -(long) ((a | -a) >>> 63); // 0 stays 0
  }

  /** Any signed long → [0, q). */
  public long reduce(long x) {
    long r = x % q;
    return r + ((r >> 63) & q);
  }

  /** Barrett reduction of the unsigned 128-bit value hi:lo (requires hi &lt; q so the quotient fits). */
  public long reduce128(long hi, long lo) {
    // quotient estimate = floor(((hi:lo) * ratio) / 2^128), keeping only the words that matter
    long carry = mulHiUnsigned(lo, ratioLo);
    long t2lo = lo * ratioHi;
    long t2hi = mulHiUnsigned(lo, ratioHi);
    long t1 = t2lo + carry;
    long t3 = t2hi + (Long.compareUnsigned(t1, carry) < 0 ? 1 : 0);
    t2lo = hi * ratioLo;
    t2hi = mulHiUnsigned(hi, ratioLo);
    t1 = t1 + t2lo;
    carry = t2hi + (Long.compareUnsigned(t1, t2lo) < 0 ? 1 : 0);
    long quot = hi * ratioHi + t3 + carry;
    long r = lo - quot * q;
    return reduceOnce(r);
  }

  /** a·b mod q for a, b in [0, q) (Barrett). */
  public long mul(long a, long b) {
    return reduce128(Math.multiplyHigh(a, b), a * b);
  }

  /** Barrett reduction of a 64-bit unsigned value. */
  public long reduceU64(long x) {
    long quot = mulHiUnsigned(x, ratioHi);
    long r = x - quot * q;
    return reduceOnce(r);
  }

  /** Shoup precomputation floor(w·2^64/q) for w in [0, q). */
  public long shoup(long w) {
    // floor(w·2^64/q) ≈ floor(w·floor(2^128/q)/2^64) = w·ratioHi + mulhi(w, ratioLo), low by at most 1;
    // the remainder w·2^64 − e·q (its low word, exact since it is < 2q < 2^64) tells whether to add 1.
    long e = w * ratioHi + mulHiUnsigned(w, ratioLo);
    long rem = -e * q;
    return Long.compareUnsigned(rem, q) >= 0 ? e + 1 : e;
  }

  /** x·w mod q in [0, 2q) for any x &lt; 2^63 and Shoup pair (w, wShoup). */
  public static long mulShoupLazy(long x, long w, long wShoup, long q) {
    long quot = Math.multiplyHigh(x, wShoup) + ((wShoup >> 63) & x);
    return x * w - quot * q;
  }

  /**
   * acc[k] = (acc[k] + w[k]·x[perm[k]]) mod q for every k of acc, with Shoup pairs (w, wShoup); w null means
   * weight 1, perm null the identity. Inputs and results in [0, q). The weighted sum of hoisted key switching
   * (the extended basis and the Q part alike).
   */
  public static void mulAddShoup(long[] x, int[] perm, long[] w, long[] wShoup, long[] acc, long q) {
    for (int k = 0; k < acc.length; k++) {
      long v = x[perm == null ? k : perm[k]];
      if (w != null) {
        v = reduceOnce(mulShoupLazy(v, w[k], wShoup[k], q), q);
      }
      acc[k] = reduceOnce(acc[k] + v, q);
    }
  }

  /** x·w mod q in [0, q) with Shoup pair (w, wShoup). */
  public long mulShoup(long x, long w, long wShoup) {
    return reduceOnce(mulShoupLazy(x, w, wShoup, q));
  }

  public long pow(long base, long exp) {
    long result = 1;
    long b = base % q;
    long e = exp;
    while (e > 0) {
      if ((e & 1) != 0) {
        result = mul(result, b);
      }
      b = mul(b, b);
      e >>>= 1;
    }
    return result;
  }

  /** Multiplicative inverse of a nonzero residue (q prime). */
  public long inv(long a) {
    if (a % q == 0) {
      throw new ArithmeticException("zero has no inverse modulo " + q);
    }
    return pow(reduce(a), q - 2);
  }

  long twoQ() {
    return twoQ;
  }

  @Override
  public String toString() {
    return "Modulus(" + q + ", " + bits + " bits)";
  }
}
