package dev.warden.crypto.he.ring;

/**
 * Polynomial samplers over a {@link RingContext}, writing coefficient-domain RNS limbs.
 *
 * <ul>
 *   <li>{@link #uniform}: rejection sampling of each residue from the low {@code bits(q)} bits of the
 *       stream (unbiased; rejections only reveal public randomness).</li>
 *   <li>{@link #ternary}: uniform on {-1, 0, 1}, by rejection from 2-bit draws (value 3 rejected), the
 *       secret distribution of the HE standard.</li>
 *   <li>{@link #gaussian}: discrete Gaussian of parameter σ truncated at ±⌈6σ⌉, by a full scan of a
 *       cumulative table (the scan always reads every entry: no data-dependent branch or early exit).</li>
 * </ul>
 * Each signed sample is written to every requested limb as its residue. Not thread-safe (uses the
 * caller's {@link Prng}).
 */
public final class Sampler {
  private final RingContext ring;
  private final long[] cdt; // 63-bit thresholds
  private final int bound;

  public Sampler(RingContext ring, double sigma) {
    if (!(sigma > 0 && sigma < 100)) {
      throw new IllegalArgumentException("sigma out of range: " + sigma);
    }
    this.ring = ring;
    this.bound = (int) Math.ceil(6 * sigma);
    int len = 2 * bound + 1;
    double[] w = new double[len];
    double total = 0;
    for (int i = 0; i < len; i++) {
      int x = i - bound;
      w[i] = Math.exp(-(double) x * x / (2 * sigma * sigma));
      total += w[i];
    }
    cdt = new long[len - 1];
    double acc = 0;
    for (int i = 0; i < len - 1; i++) {
      acc += w[i] / total;
      cdt[i] = (long) (acc * 0x1p63);
    }
  }

  /** Uniform residues modulo each of the limbs [0, limbs) in {@code out} (index i ↔ ring modulus mods[i]). */
  public void uniform(Prng prng, long[][] out, int[] mods) {
    int n = ring.n();
    for (int l = 0; l < mods.length; l++) {
      Modulus m = ring.modulus(mods[l]);
      long q = m.value();
      long mask = (1L << m.bits()) - 1;
      long[] o = out[l];
      for (int i = 0; i < n; i++) {
        long v;
        do {
          v = prng.nextLong() & mask;
        } while (v >= q);
        o[i] = v;
      }
    }
  }

  /** Uniform ternary coefficients as signed values in {-1, 0, 1}. */
  public void ternary(Prng prng, int[] out) {
    int n = out.length;
    int i = 0;
    while (i < n) {
      long r = prng.nextLong();
      for (int k = 0; k < 32 && i < n; k++, r >>>= 2) {
        int v = (int) (r & 3);
        if (v != 3) {
          out[i++] = v - 1;
        }
      }
    }
  }

  /** Discrete Gaussian coefficients (signed). */
  public void gaussian(Prng prng, int[] out) {
    for (int i = 0; i < out.length; i++) {
      long r = prng.nextLong() >>> 1;
      int count = 0;
      for (long t : cdt) {
        count += (int) ((t - r - 1) >>> 63); // 1 when t <= r ... i.e. t - r - 1 < 0
      }
      out[i] = count - bound;
    }
  }

  /** Writes small signed coefficients as residues into each listed limb. */
  public void toRns(int[] coeffs, long[][] out, int[] mods) {
    for (int l = 0; l < mods.length; l++) {
      long q = ring.modulus(mods[l]).value();
      long[] o = out[l];
      for (int i = 0; i < coeffs.length; i++) {
        int c = coeffs[i];
        o[i] = c + ((long) (c >> 31) & q);
      }
    }
  }
}
