package dev.warden.crypto.he.ring;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The ring R = Z[X]/(X^N + 1) with a fixed list of NTT primes (the ciphertext chain q_0..q_L followed by
 * any special primes). A polynomial in RNS form is a {@code long[][]}: one flat {@code long[N]} limb per
 * prime, limb i reduced modulo prime i. All element-wise operations here work on one limb, so callers
 * choose which limbs (levels) take part; nothing allocates except the {@code new…} helpers.
 *
 * <p>Immutable apart from a cache of automorphism permutations; thread-safe.
 */
public final class RingContext {
  private final int logN;
  private final int n;
  private final Modulus[] moduli;
  private final Ntt[] ntts;
  private final ConcurrentHashMap<Long, int[]> autIndexCache = new ConcurrentHashMap<>();

  public RingContext(int logN, long[] primes) {
    if (logN < 1 || logN > 17) {
      throw new IllegalArgumentException("logN must be in [1, 17]: " + logN);
    }
    this.logN = logN;
    this.n = 1 << logN;
    this.moduli = new Modulus[primes.length];
    this.ntts = new Ntt[primes.length];
    long twoN = 2L * n;
    for (int i = 0; i < primes.length; i++) {
      if (!Primes.isPrime(primes[i]) || (primes[i] - 1) % twoN != 0) {
        throw new IllegalArgumentException("modulus " + primes[i] + " is not a prime ≡ 1 mod 2N");
      }
      for (int j = 0; j < i; j++) {
        if (primes[j] == primes[i]) {
          throw new IllegalArgumentException("duplicate modulus " + primes[i]);
        }
      }
      moduli[i] = new Modulus(primes[i]);
      ntts[i] = new Ntt(moduli[i], logN);
    }
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return n;
  }

  public int size() {
    return moduli.length;
  }

  public Modulus modulus(int i) {
    return moduli[i];
  }

  public Ntt ntt(int i) {
    return ntts[i];
  }

  public long[][] newPoly(int limbs) {
    return new long[limbs][n];
  }

  // ---- element-wise operations on one limb (modulus index m) ----

  public void add(long[] a, long[] b, long[] out, int m) {
    final long q = moduli[m].value();
    for (int i = 0; i < n; i++) {
      out[i] = Modulus.reduceOnce(a[i] + b[i], q);
    }
  }

  public void sub(long[] a, long[] b, long[] out, int m) {
    final long q = moduli[m].value();
    for (int i = 0; i < n; i++) {
      long d = a[i] - b[i];
      out[i] = d + ((d >> 63) & q);
    }
  }

  public void neg(long[] a, long[] out, int m) {
    Modulus mod = moduli[m];
    for (int i = 0; i < n; i++) {
      out[i] = mod.neg(a[i]);
    }
  }

  /** out = a ⊙ b (Barrett). */
  public void mul(long[] a, long[] b, long[] out, int m) {
    Modulus mod = moduli[m];
    for (int i = 0; i < n; i++) {
      long x = a[i];
      long y = b[i];
      out[i] = mod.reduce128(Math.multiplyHigh(x, y), x * y);
    }
  }

  /** out += a ⊙ b (Barrett). */
  public void mulAdd(long[] a, long[] b, long[] out, int m) {
    Modulus mod = moduli[m];
    final long q = mod.value();
    for (int i = 0; i < n; i++) {
      long x = a[i];
      long y = b[i];
      out[i] = Modulus.reduceOnce(out[i] + mod.reduce128(Math.multiplyHigh(x, y), x * y), q);
    }
  }

  /** out = a · c for a scalar c in [0, q) (Shoup). */
  public void mulScalar(long[] a, long c, long[] out, int m) {
    Modulus mod = moduli[m];
    long cs = mod.shoup(c);
    final long q = mod.value();
    for (int i = 0; i < n; i++) {
      out[i] = Modulus.reduceOnce(Modulus.mulShoupLazy(a[i], c, cs, q), q);
    }
  }

  public void forward(long[] a, int m) {
    ntts[m].forward(a);
  }

  public void inverse(long[] a, int m) {
    ntts[m].inverse(a);
  }

  /**
   * Index map of the automorphism X → X^g in the NTT (bit-reversed) domain: {@code out[k] = in[idx[k]]}.
   * g must be odd. Slot k holds a(ψ^(2·brv(k)+1)); (σ_g a)(ψ^e) = a(ψ^(e·g)).
   */
  public int[] automorphismNttIndex(long galoisElement) {
    return autIndexCache.computeIfAbsent(galoisElement, g -> {
      if ((g & 1) == 0) {
        throw new IllegalArgumentException("Galois element must be odd: " + g);
      }
      long mask = 2L * n - 1;
      int[] idx = new int[n];
      for (int k = 0; k < n; k++) {
        long e = 2L * Ntt.bitReverse(k, logN) + 1;
        long eg = (e * (g & mask)) & mask;
        idx[k] = Ntt.bitReverse((int) ((eg - 1) >> 1), logN);
      }
      return idx;
    });
  }

  /** out = σ_g(a) in the NTT domain (a permutation); out must not alias a. */
  public void automorphismNtt(long[] a, int[] idx, long[] out) {
    for (int k = 0; k < n; k++) {
      out[k] = a[idx[k]];
    }
  }

  /** Coefficient-domain automorphism X → X^g (reference implementation, used by tests and set-up). */
  public void automorphismCoeff(long[] a, long galoisElement, long[] out, int m) {
    long q = moduli[m].value();
    long mask = 2L * n - 1;
    for (int i = 0; i < n; i++) {
      long j = (i * galoisElement) & mask;
      if (j < n) {
        out[(int) j] = a[i];
      } else {
        out[(int) (j - n)] = a[i] == 0 ? 0 : q - a[i];
      }
    }
  }
}
