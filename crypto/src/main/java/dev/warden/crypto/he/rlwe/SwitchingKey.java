package dev.warden.crypto.he.rlwe;

/**
 * A key-switching key from a secret s' to s, one RNS digit per chain prime q_j: (b_j, a_j) over
 * q_0..q_L, P with b_j = −a_j·s + e_j + P·[q_j-gadget]·s'. The a_j are expanded from one seed.
 * Used as relinearisation key (s' = s²) and Galois key (s' = σ_g(s)). Immutable.
 */
public final class SwitchingKey {
  private final Parameters params;
  private final long galoisElement; // 0 for the relinearisation key
  private final long[][][] b; // [digit][limb][N]
  private final long[][][] a;
  private final byte[] seed;
  /** Shoup companions of digit 0 on limbs q_0 and P (the whole key at level 0), computed on first use. */
  private volatile long[][] level0Shoup;

  SwitchingKey(Parameters params, long galoisElement, long[][][] b, long[][][] a, byte[] seed) {
    this.params = params;
    this.galoisElement = galoisElement;
    this.b = b;
    this.a = a;
    this.seed = seed.clone();
  }

  public Parameters parameters() {
    return params;
  }

  /** The Galois element g of X → X^g, or 0 for a relinearisation key. */
  public long galoisElement() {
    return galoisElement;
  }

  long[][][] b() {
    return b;
  }

  long[][][] a() {
    return a;
  }

  /**
   * {b_0 mod q_0, b_0 mod P, a_0 mod q_0, a_0 mod P} Shoup companions: at level 0 key switching is one
   * product per coefficient by these fixed values, so Shoup's precomputed quotient replaces Barrett
   * (about 4x cheaper). 4·N words per key, computed once (a benign race computes the same values).
   */
  long[][] level0Shoup() {
    long[][] s = level0Shoup;
    if (s == null) {
      int sp = params.specialIndex();
      dev.warden.crypto.he.ring.RingContext ring = params.ring();
      s = new long[][] {shoup(ring.modulus(0), b[0][0]), shoup(ring.modulus(sp), b[0][sp]),
          shoup(ring.modulus(0), a[0][0]), shoup(ring.modulus(sp), a[0][sp])};
      level0Shoup = s;
    }
    return s;
  }

  private static long[] shoup(dev.warden.crypto.he.ring.Modulus m, long[] w) {
    long[] out = new long[w.length];
    for (int k = 0; k < w.length; k++) {
      out[k] = m.shoup(w[k]);
    }
    return out;
  }

  byte[] seedRef() {
    return seed;
  }
}
