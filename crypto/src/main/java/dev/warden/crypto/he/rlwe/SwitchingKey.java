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

  byte[] seedRef() {
    return seed;
  }
}
