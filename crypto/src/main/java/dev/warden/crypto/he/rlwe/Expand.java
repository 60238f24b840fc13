package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Prng;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.ring.Sampler;

/** Deterministic expansion of public uniform polynomials from a 32-byte seed (NTT form directly). */
final class Expand {
  private Expand() {}

  static int[] range(int from, int toInclusive, int extra) {
    int len = toInclusive - from + 1 + (extra >= 0 ? 1 : 0);
    int[] r = new int[len];
    for (int i = 0; i <= toInclusive - from; i++) {
      r[i] = from + i;
    }
    if (extra >= 0) {
      r[len - 1] = extra;
    }
    return r;
  }

  /** One uniform polynomial over the listed moduli. */
  static long[][] uniform(RingContext ring, byte[] seed, int[] mods) {
    long[][] out = ring.newPoly(mods.length);
    new Sampler(ring, Distributions.SIGMA).uniform(new Prng(seed), out, mods);
    return out;
  }

  /** {@code count} uniform polynomials from one stream, each over the listed moduli. */
  static long[][][] uniformMany(RingContext ring, byte[] seed, int count, int[] mods) {
    Prng prng = new Prng(seed);
    Sampler s = new Sampler(ring, Distributions.SIGMA);
    long[][][] out = new long[count][][];
    for (int j = 0; j < count; j++) {
      out[j] = ring.newPoly(mods.length);
      s.uniform(prng, out[j], mods);
    }
    return out;
  }
}
