package dev.warden.crypto.he.rlwe;

/** Public key (b = −a·s + e, a) over q_0..q_L in NTT form; a is expanded from {@link #seed()}. Immutable. */
public final class PublicKey {
  private final Parameters params;
  private final long[][] b;
  private final long[][] a;
  private final byte[] seed;

  PublicKey(Parameters params, long[][] b, long[][] a, byte[] seed) {
    this.params = params;
    this.b = b;
    this.a = a;
    this.seed = seed.clone();
  }

  public Parameters parameters() {
    return params;
  }

  long[][] b() {
    return b;
  }

  long[][] a() {
    return a;
  }

  byte[] seedRef() {
    return seed;
  }
}
