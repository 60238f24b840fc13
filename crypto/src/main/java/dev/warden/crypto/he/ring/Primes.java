package dev.warden.crypto.he.ring;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * NTT-friendly primes: q ≡ 1 (mod 2N), so Z_q holds a primitive 2N-th root of unity ψ and
 * X^N + 1 splits into linear factors (the negacyclic NTT exists). Set-up code only (uses BigInteger).
 */
public final class Primes {
  private Primes() {}

  /** Deterministic Miller–Rabin for 64-bit values (bases 2..37 are exact below 3.3·10^24). */
  public static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    for (long p : new long[] {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37}) {
      if (n % p == 0) {
        return n == p;
      }
    }
    return BigInteger.valueOf(n).isProbablePrime(64);
  }

  /**
   * The {@code count} largest distinct primes of exactly {@code bits} bits with q ≡ 1 mod 2N, excluding
   * those in {@code exclude}, in decreasing order.
   */
  public static long[] generate(int bits, int logN, int count, List<Long> exclude) {
    if (bits < logN + 2 || bits > Modulus.MAX_BITS) {
      throw new IllegalArgumentException("prime size must be in [" + (logN + 2) + ", 61] bits: " + bits);
    }
    long twoN = 2L << logN;
    long upper = (1L << bits) - 1; // largest value of the given bit size
    long candidate = upper - (upper % twoN) + 1; // ≡ 1 mod 2N
    if (candidate > upper) {
      candidate -= twoN;
    }
    long lower = 1L << (bits - 1);
    List<Long> out = new ArrayList<>();
    while (out.size() < count && candidate > lower) {
      if (!exclude.contains(candidate) && isPrime(candidate)) {
        out.add(candidate);
      }
      candidate -= twoN;
    }
    if (out.size() < count) {
      throw new IllegalArgumentException("not enough " + bits + "-bit NTT primes for N=2^" + logN);
    }
    long[] r = new long[count];
    for (int i = 0; i < count; i++) {
      r[i] = out.get(i);
    }
    return r;
  }

  /** A primitive 2N-th root of unity modulo q (the smallest one found, for reproducibility). */
  public static long primitive2NthRoot(long q, int logN) {
    Modulus m = new Modulus(q);
    long twoN = 2L << logN;
    if ((q - 1) % twoN != 0) {
      throw new IllegalArgumentException(q + " is not 1 mod 2N");
    }
    long cofactor = (q - 1) / twoN;
    for (long g = 2; g < q; g++) {
      long psi = m.pow(g, cofactor);
      // psi has order dividing 2N; it is primitive iff psi^N = -1
      if (m.pow(psi, twoN / 2) == q - 1) {
        return psi;
      }
    }
    throw new IllegalStateException("no primitive root for " + q);
  }
}
