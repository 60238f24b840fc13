package dev.warden.crypto.he.rlwe;

import java.util.Arrays;

/**
 * The RLWE secret s (uniform ternary), held in NTT form over every prime q_0..q_L, P.
 *
 * <h2>Security guarantees</h2>
 * {@link #toString()} shows metadata only; {@link #destroy()} zeroes the material. The key never leaves
 * the key holder: there is deliberately no serialiser for it in this library.
 */
public final class SecretKey {
  private final Parameters params;
  private final long[][] s; // NTT, L+2 limbs
  private volatile boolean destroyed;

  SecretKey(Parameters params, long[][] s) {
    this.params = params;
    this.s = s;
  }

  public Parameters parameters() {
    return params;
  }

  long[][] ntt() {
    if (destroyed) {
      throw new IllegalStateException("secret key destroyed");
    }
    return s;
  }

  /** Overwrites the key material with zeros; later use throws. */
  public void destroy() {
    destroyed = true;
    for (long[] limb : s) {
      Arrays.fill(limb, 0);
    }
  }

  @Override
  public String toString() {
    return "SecretKey(" + params + ", material hidden)";
  }
}
