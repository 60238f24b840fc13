package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Modulus;
import dev.warden.crypto.he.ring.RingContext;

/**
 * Key switching with one special prime P and one RNS digit per chain prime (the scheme of SEAL:
 * Bajard–Eynard–Hasan–Zucca / Halevi–Polyakov–Shoup "RNS variant" without further digit grouping).
 *
 * <p>To turn d·s' into an encryption under s at level ℓ:
 * <ol>
 *   <li><b>ModUp / decompose</b>: for each j ≤ ℓ take the digit [d]_{q_j} (inverse NTT of limb j),
 *       reduce it modulo every q_i (i ≤ ℓ) and P and forward-NTT it: (ℓ+1) inverse and (ℓ+1)(ℓ+1)
 *       forward NTTs. This part does not depend on the key, so several rotations of one ciphertext share it
 *       (hoisting, Halevi–Shoup 2018): an automorphism of the digits is a permutation in the NTT domain.</li>
 *   <li><b>Inner product</b> with the key digits (b_j, a_j): accumulated in 128 bits, one Barrett
 *       reduction per coefficient.</li>
 *   <li><b>ModDown</b>: divide by P with rounding (subtract the centred P-limb lifted to each q_i, multiply
 *       by P⁻¹): 2 inverse and 2(ℓ+1) forward NTTs.</li>
 * </ol>
 * Noise added: about Σ_j |d_j·e_j| / P + rounding, with d_j &lt; q_j ≤ P, i.e. a few bits.
 *
 * <p>Holds scratch buffers: not thread-safe; use one per thread.
 */
public final class KeySwitcher {
  private final Parameters params;
  private final RingContext ring;
  private final int n;
  private final int sp;
  private final long[] pModQ;
  private final long[] pInvModQ;
  private final long[] pInvModQShoup;
  private final long[][][] digits; // [j][limb (0..L, L+1 = P)][N]
  private final long[][] acc0;
  private final long[][] acc1;
  private final long[] tmp;
  private int decomposedLevel = -1;

  public KeySwitcher(Parameters params) {
    this.params = params;
    this.ring = params.ring();
    this.n = ring.n();
    this.sp = params.specialIndex();
    int limbs = params.maxLevel() + 2;
    pModQ = new long[limbs];
    pInvModQ = new long[limbs];
    pInvModQShoup = new long[limbs];
    for (int i = 0; i <= params.maxLevel(); i++) {
      Modulus m = ring.modulus(i);
      pModQ[i] = m.reduce(params.specialPrime());
      pInvModQ[i] = m.inv(pModQ[i]);
      pInvModQShoup[i] = m.shoup(pInvModQ[i]);
    }
    digits = new long[params.maxLevel() + 1][limbs][n];
    acc0 = new long[limbs][n];
    acc1 = new long[limbs][n];
    tmp = new long[n];
  }

  /**
   * Decomposes d (NTT form, limbs 0..level) into the internal buffer (ModUp). The result stays valid until
   * the next call and can feed several {@link #apply} calls (hoisting).
   */
  public void decompose(long[][] d, int level) {
    for (int j = 0; j <= level; j++) {
      System.arraycopy(d[j], 0, tmp, 0, n);
      ring.inverse(tmp, j);
      long qj = ring.modulus(j).value();
      for (int t = 0; t <= level + 1; t++) {
        int i = t <= level ? t : sp;
        long[] dst = digits[j][t <= level ? t : sp];
        if (i == j) {
          System.arraycopy(d[j], 0, dst, 0, n);
          continue;
        }
        Modulus mi = ring.modulus(i);
        // centred digit: values above q_j/2 stand for v − q_j (halves the digit's norm)
        long qi = mi.value();
        long qjModQi = qj < qi ? qj : mi.reduceU64(qj);
        long halfJ = qj >>> 1;
        for (int k = 0; k < n; k++) {
          long v = tmp[k];
          long r = v < qi ? v : mi.reduceU64(v);
          long corr = -((halfJ - v) >>> 63) & qjModQi;
          long diff = r - corr;
          dst[k] = diff + ((diff >> 63) & qi);
        }
        ring.forward(dst, i);
      }
    }
    decomposedLevel = level;
  }

  /**
   * (out0, out1) ≈ encryption under s of σ(d)·s' where d was decomposed last, s' is the key's source
   * secret and σ the automorphism given by {@code perm} (null for none). Outputs over limbs 0..level.
   */
  public void apply(SwitchingKey key, int[] perm, long[][] out0, long[][] out1) {
    applyExtended(key, perm, acc0, acc1);
    modDown(acc0, decomposedLevel, out0);
    modDown(acc1, decomposedLevel, out1);
  }

  /**
   * As {@link #apply} without the division by P: (out0, out1) over Q·P, i.e. limbs 0..level and
   * {@link Parameters#specialIndex()} of arrays indexed by ring index (length ≥ specialIndex + 1).
   * Sums of such results (weighted by plaintexts extended to P) need only one {@link #modDown} —
   * hoisting of the ModDown as in Lattigo's BSGS linear transforms (Bossuat et al., EUROCRYPT 2021).
   */
  public void applyExtended(SwitchingKey key, int[] perm, long[][] out0, long[][] out1) {
    int level = decomposedLevel;
    if (level < 0) {
      throw new IllegalStateException("decompose first");
    }
    if (level == 0) {
      for (int i : new int[] {0, sp}) {
        java.util.Arrays.fill(out0[i], 0);
        java.util.Arrays.fill(out1[i], 0);
      }
      applyExtendedAccumulate(key, perm, null, null, out0, out1);
      return;
    }
    long[][][] kb = key.b();
    long[][][] ka = key.a();
    for (int t = 0; t <= level + 1; t++) {
      int i = t <= level ? t : sp;
      Modulus mi = ring.modulus(i);
      long[] a0 = out0[i];
      long[] a1 = out1[i];
      for (int k = 0; k < n; k++) {
        int src = perm == null ? k : perm[k];
        long lo0 = 0;
        long hi0 = 0;
        long lo1 = 0;
        long hi1 = 0;
        for (int j = 0; j <= level; j++) {
          long x = digits[j][i][src];
          long y0 = kb[j][i][k];
          long y1 = ka[j][i][k];
          long p0 = x * y0;
          long n0 = lo0 + p0;
          hi0 += Math.multiplyHigh(x, y0) + ((((lo0 & p0) | ((lo0 | p0) & ~n0))) >>> 63);
          lo0 = n0;
          long p1 = x * y1;
          long n1 = lo1 + p1;
          hi1 += Math.multiplyHigh(x, y1) + ((((lo1 & p1) | ((lo1 | p1) & ~n1))) >>> 63);
          lo1 = n1;
          if ((j & 7) == 7) { // keep hi below q so the Barrett quotient fits in a word
            hi0 = mi.reduceU64(hi0);
            hi1 = mi.reduceU64(hi1);
          }
        }
        hi0 = mi.reduceU64(hi0);
        hi1 = mi.reduceU64(hi1);
        a0[k] = mi.reduce128(hi0, lo0);
        a1[k] = mi.reduce128(hi1, lo1);
      }
    }
  }

  /**
   * acc += w ⊙ (the {@link #applyExtended} result), over Q·P: w[t] is the weight modulo q_t for t ≤ level
   * and modulo P for t = level + 1 (NTT form), wS its Shoup companions; w null means weight 1. acc0/acc1
   * are indexed by ring index, values in [0, q). At level 0 the key product and the weight product are
   * one pass over memory.
   */
  public void applyExtendedAccumulate(SwitchingKey key, int[] perm, long[][] w, long[][] wS, long[][] accum0,
      long[][] accum1) {
    int level = decomposedLevel;
    if (level < 0) {
      throw new IllegalStateException("decompose first");
    }
    if (level == 0) {
      long[][] ks = key.level0Shoup();
      for (int t = 0; t < 2; t++) {
        int i = t == 0 ? 0 : sp;
        long q = ring.modulus(i).value();
        long[] x = digits[0][i];
        long[] b = key.b()[0][i];
        long[] bs = ks[t];
        long[] a = key.a()[0][i];
        long[] as = ks[2 + t];
        long[] o0 = accum0[i];
        long[] o1 = accum1[i];
        long[] wt = w == null ? null : w[t];
        long[] wst = w == null ? null : wS[t];
        for (int k = 0; k < n; k++) {
          long v = x[perm == null ? k : perm[k]];
          long u0 = Modulus.mulShoupLazy(v, b[k], bs[k], q); // [0, 2q)
          long u1 = Modulus.mulShoupLazy(v, a[k], as[k], q);
          if (wt != null) {
            u0 = Modulus.mulShoupLazy(u0, wt[k], wst[k], q);
            u1 = Modulus.mulShoupLazy(u1, wt[k], wst[k], q);
          }
          o0[k] = Modulus.reduceOnce(o0[k] + Modulus.reduceOnce(u0, q), q);
          o1[k] = Modulus.reduceOnce(o1[k] + Modulus.reduceOnce(u1, q), q);
        }
      }
      return;
    }
    applyExtended(key, perm, acc0, acc1);
    for (int t = 0; t <= level + 1; t++) {
      int i = t <= level ? t : sp;
      long q = ring.modulus(i).value();
      Modulus.mulAddShoup(acc0[i], null, w == null ? null : w[t], w == null ? null : wS[t], accum0[i], q);
      Modulus.mulAddShoup(acc1[i], null, w == null ? null : w[t], w == null ? null : wS[t], accum1[i], q);
    }
  }

  /** Convenience: decompose then apply. */
  public void switchKey(long[][] d, int level, SwitchingKey key, long[][] out0, long[][] out1) {
    decompose(d, level);
    apply(key, null, out0, out1);
  }

  /**
   * out = round(acc / P) over limbs 0..level, for an extended-basis pair from {@link #applyExtended} (or a
   * sum of them). Destroys acc's P limb.
   */
  public void modDown(long[][] acc, int level, long[][] out) {
    long[] pl = acc[sp];
    ring.inverse(pl, sp);
    long p = params.specialPrime();
    long half = p >>> 1;
    for (int i = 0; i <= level; i++) {
      Modulus mi = ring.modulus(i);
      long qi = mi.value();
      long pm = pModQ[i];
      for (int k = 0; k < n; k++) {
        long v = pl[k];
        long r = v < qi ? v : mi.reduceU64(v);
        // centred lift: v > P/2 stands for v − P
        long corr = -((half - v) >>> 63) & pm;
        tmp[k] = mi.sub(r, corr);
      }
      ring.forward(tmp, i);
      long inv = pInvModQ[i];
      long invS = pInvModQShoup[i];
      long[] a = acc[i];
      long[] o = out[i];
      for (int k = 0; k < n; k++) {
        long d = a[k] - tmp[k] + qi;
        o[k] = Modulus.reduceOnce(Modulus.mulShoupLazy(d, inv, invS, qi), qi);
      }
    }
  }
}
