package dev.warden.crypto.he.ckks;

import dev.warden.crypto.he.ring.Modulus;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.KeySwitcher;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import dev.warden.crypto.he.rlwe.SwitchingKey;
import java.util.Objects;

/**
 * Homomorphic operations on CKKS ciphertexts (all in NTT form) with level and scale bookkeeping.
 *
 * <p>Conventions. Each operation has an allocating form ({@code add(a, b)}) and most have an in-place
 * form on a caller-owned ciphertext ({@code addInPlace(acc, b)}). Binary operations require equal levels
 * (use {@link #dropLevel}) and, for addition, scales equal to within 2^-20 relative (use
 * {@link #rescale} or encode plaintexts at the matching scale); a mismatch is an exception, never a
 * silent precision loss. {@link #rescale} divides by the last prime of the level, q_ℓ, and the scale by
 * the exact q_ℓ (not 2^40), so scales stay exact.
 *
 * <p>Rotations need a Galois key for each step (see {@link KeyGenerator#genEvaluationKeys});
 * {@link #rotateHoisted} shares the key-switching decomposition across several steps of one ciphertext.
 *
 * <p>Holds scratch buffers: NOT thread-safe. Use one evaluator per thread (keys may be shared).
 */
public final class Evaluator {
  /** Largest relative scale difference tolerated by additions. */
  public static final double SCALE_TOLERANCE = 0x1p-20;

  private final Parameters params;
  private final RingContext ring;
  private final EvaluationKeys keys;
  private final KeySwitcher switcher;
  private final int n;
  private final long[] tmp;
  private final long[][] ks0;
  private final long[][] ks1;
  /** Extended-basis (Q·P) scratch of {@link #rotateMulSum}, indexed by ring index; allocated on first use. */
  private long[][] ext0;
  private long[][] ext1;

  public Evaluator(Parameters params, EvaluationKeys keys) {
    this.params = Objects.requireNonNull(params);
    this.keys = keys;
    if (keys != null && !keys.parameters().equals(params)) {
      throw new IllegalArgumentException("evaluation keys belong to other parameters");
    }
    this.ring = params.ring();
    this.n = params.n();
    this.switcher = new KeySwitcher(params);
    this.tmp = new long[n];
    this.ks0 = new long[params.maxLevel() + 1][n];
    this.ks1 = new long[params.maxLevel() + 1][n];
  }

  public Parameters parameters() {
    return params;
  }

  private EvaluationKeys keys() {
    if (keys == null) {
      throw new IllegalStateException("this evaluator has no evaluation keys");
    }
    return keys;
  }

  // ------------------------------------------------------------------ checks

  private static void sameLevel(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("level mismatch: " + a + " vs " + b + " (drop the higher one first)");
    }
  }

  private static void sameScale(double a, double b) {
    if (Math.abs(a - b) > SCALE_TOLERANCE * Math.max(a, b)) {
      throw new IllegalArgumentException(String.format("scale mismatch: 2^%.3f vs 2^%.3f",
          Math.log(a) / Math.log(2), Math.log(b) / Math.log(2)));
    }
  }

  // ------------------------------------------------------------------ addition

  public Ciphertext add(Ciphertext a, Ciphertext b) {
    sameLevel(a.level(), b.level());
    sameScale(a.scale(), b.scale());
    Ciphertext big = a.size() >= b.size() ? a : b;
    Ciphertext small = big == a ? b : a;
    Ciphertext r = Ciphertext.allocate(n, big.size() - 1, a.level(), a.scale());
    for (int d = 0; d < big.size(); d++) {
      for (int i = 0; i <= a.level(); i++) {
        if (d < small.size()) {
          ring.add(big.poly(d)[i], small.poly(d)[i], r.poly(d)[i], i);
        } else {
          System.arraycopy(big.poly(d)[i], 0, r.poly(d)[i], 0, n);
        }
      }
    }
    return r;
  }

  /** acc += b (acc must have at least b's size). */
  public void addInPlace(Ciphertext acc, Ciphertext b) {
    sameLevel(acc.level(), b.level());
    sameScale(acc.scale(), b.scale());
    if (b.size() > acc.size()) {
      throw new IllegalArgumentException("accumulator has lower degree than the addend");
    }
    for (int d = 0; d < b.size(); d++) {
      for (int i = 0; i <= acc.level(); i++) {
        ring.add(acc.poly(d)[i], b.poly(d)[i], acc.poly(d)[i], i);
      }
    }
    clearSeed(acc);
  }

  public Ciphertext sub(Ciphertext a, Ciphertext b) {
    sameLevel(a.level(), b.level());
    sameScale(a.scale(), b.scale());
    int size = Math.max(a.size(), b.size());
    Ciphertext r = Ciphertext.allocate(n, size - 1, a.level(), a.scale());
    for (int d = 0; d < size; d++) {
      for (int i = 0; i <= a.level(); i++) {
        if (d < a.size() && d < b.size()) {
          ring.sub(a.poly(d)[i], b.poly(d)[i], r.poly(d)[i], i);
        } else if (d < a.size()) {
          System.arraycopy(a.poly(d)[i], 0, r.poly(d)[i], 0, n);
        } else {
          ring.neg(b.poly(d)[i], r.poly(d)[i], i);
        }
      }
    }
    return r;
  }

  public Ciphertext negate(Ciphertext a) {
    Ciphertext r = Ciphertext.allocate(n, a.size() - 1, a.level(), a.scale());
    for (int d = 0; d < a.size(); d++) {
      for (int i = 0; i <= a.level(); i++) {
        ring.neg(a.poly(d)[i], r.poly(d)[i], i);
      }
    }
    return r;
  }

  public Ciphertext addPlain(Ciphertext a, Plaintext p) {
    Ciphertext r = a.copy();
    addPlainInPlace(r, p);
    return r;
  }

  public void addPlainInPlace(Ciphertext a, Plaintext p) {
    sameScale(a.scale(), p.scale());
    if (p.level() < a.level()) {
      throw new IllegalArgumentException("plaintext level " + p.level() + " below ciphertext level " + a.level());
    }
    for (int i = 0; i <= a.level(); i++) {
      ring.add(a.poly(0)[i], p.poly()[i], a.poly(0)[i], i);
    }
  }

  // ------------------------------------------------------------------ multiplication

  /** ct × pt; the result's scale is the product of the scales (rescale afterwards). */
  public Ciphertext multiplyPlain(Ciphertext a, Plaintext p) {
    Ciphertext r = Ciphertext.allocate(n, a.size() - 1, a.level(), a.scale() * p.scale());
    multiplyPlain(a, p, r);
    return r;
  }

  /** out = a × p (out may be a). */
  public void multiplyPlain(Ciphertext a, Plaintext p, Ciphertext out) {
    if (p.level() < a.level()) {
      throw new IllegalArgumentException("plaintext level " + p.level() + " below ciphertext level " + a.level());
    }
    sameLevel(out.level(), a.level());
    for (int d = 0; d < a.size(); d++) {
      for (int i = 0; i <= a.level(); i++) {
        ring.mul(a.poly(d)[i], p.poly()[i], out.poly(d)[i], i);
      }
    }
    out.setScale(a.scale() * p.scale());
    clearSeed(out);
  }

  /** out += a × p (same level; out.scale must equal a.scale·p.scale). */
  public void multiplyPlainAdd(Ciphertext a, Plaintext p, Ciphertext out) {
    sameLevel(out.level(), a.level());
    sameScale(out.scale(), a.scale() * p.scale());
    for (int d = 0; d < a.size(); d++) {
      for (int i = 0; i <= a.level(); i++) {
        ring.mulAdd(a.poly(d)[i], p.poly()[i], out.poly(d)[i], i);
      }
    }
  }

  /** ct × ct → degree-2 ciphertext (relinearise next). */
  public Ciphertext multiply(Ciphertext a, Ciphertext b) {
    if (a.size() != 2 || b.size() != 2) {
      throw new IllegalArgumentException("multiply needs two degree-1 ciphertexts (relinearise first)");
    }
    sameLevel(a.level(), b.level());
    Ciphertext r = Ciphertext.allocate(n, 2, a.level(), a.scale() * b.scale());
    for (int i = 0; i <= a.level(); i++) {
      long[] a0 = a.poly(0)[i];
      long[] a1 = a.poly(1)[i];
      long[] b0 = b.poly(0)[i];
      long[] b1 = b.poly(1)[i];
      ring.mul(a0, b0, r.poly(0)[i], i);
      ring.mul(a0, b1, r.poly(1)[i], i);
      ring.mulAdd(a1, b0, r.poly(1)[i], i);
      ring.mul(a1, b1, r.poly(2)[i], i);
    }
    return r;
  }

  /** Degree 2 → degree 1 with the relinearisation key. */
  public Ciphertext relinearize(Ciphertext a) {
    if (a.size() != 3) {
      throw new IllegalArgumentException("relinearize needs a degree-2 ciphertext");
    }
    SwitchingKey rk = keys().relinKey();
    int level = a.level();
    switcher.switchKey(a.poly(2), level, rk, ks0, ks1);
    Ciphertext r = Ciphertext.allocate(n, 1, level, a.scale());
    for (int i = 0; i <= level; i++) {
      ring.add(a.poly(0)[i], ks0[i], r.poly(0)[i], i);
      ring.add(a.poly(1)[i], ks1[i], r.poly(1)[i], i);
    }
    return r;
  }

  /** multiply, relinearise and rescale in one call. */
  public Ciphertext multiplyRelinRescale(Ciphertext a, Ciphertext b) {
    return rescaleConsuming(relinearize(multiply(a, b)));
  }

  /** Divides by q_ℓ (rounding), dropping one level; scale /= q_ℓ. */
  public Ciphertext rescale(Ciphertext a) {
    return rescaleConsuming(a.copy());
  }

  /** Rescale reusing a's limb arrays (a must not be used afterwards). */
  Ciphertext rescaleConsuming(Ciphertext a) {
    int level = a.level();
    if (level == 0) {
      throw new IllegalArgumentException("cannot rescale at level 0 (no prime left to divide by)");
    }
    long ql = ring.modulus(level).value();
    long half = ql >>> 1;
    long[][][] out = new long[a.size()][level][];
    for (int d = 0; d < a.size(); d++) {
      long[][] c = a.poly(d);
      long[] last = c[level]; // reused in place
      ring.inverse(last, level);
      for (int i = 0; i < level; i++) {
        Modulus mi = ring.modulus(i);
        long qi = mi.value();
        long qlModQi = mi.reduce(ql);
        for (int k = 0; k < n; k++) {
          long v = last[k];
          long r = v < qi ? v : mi.reduceU64(v);
          long corr = -((half - v) >>> 63) & qlModQi;
          tmp[k] = mi.sub(r, corr);
        }
        ring.forward(tmp, i);
        long inv = mi.inv(qlModQi);
        long invS = mi.shoup(inv);
        long[] ci = c[i];
        for (int k = 0; k < n; k++) {
          long x = ci[k] - tmp[k] + qi;
          ci[k] = Modulus.reduceOnce(Modulus.mulShoupLazy(x, inv, invS, qi), qi);
        }
        out[d][i] = ci;
      }
    }
    return new Ciphertext(out, level - 1, a.scale() / ql);
  }

  /** Drops limbs down to {@code level} (no division; scale unchanged). */
  public Ciphertext dropLevel(Ciphertext a, int level) {
    if (level > a.level() || level < 0) {
      throw new IllegalArgumentException("cannot drop from level " + a.level() + " to " + level);
    }
    long[][][] out = new long[a.size()][level + 1][];
    for (int d = 0; d < a.size(); d++) {
      for (int i = 0; i <= level; i++) {
        out[d][i] = a.poly(d)[i].clone();
      }
    }
    return new Ciphertext(out, level, a.scale());
  }

  /** Brings two ciphertexts to the lower of their levels (returns the pair, possibly the inputs). */
  public Ciphertext[] alignLevels(Ciphertext a, Ciphertext b) {
    int l = Math.min(a.level(), b.level());
    return new Ciphertext[] {a.level() == l ? a : dropLevel(a, l), b.level() == l ? b : dropLevel(b, l)};
  }

  /** Multiplies by a real constant: encodes c at scale q_ℓ and rescales, so the scale is unchanged. */
  public Ciphertext multiplyConst(Ciphertext a, double c, Encoder encoder) {
    double s = ring.modulus(a.level()).value();
    Plaintext p = encoder.encodeConstant(c, a.level(), s);
    return rescaleConsuming(multiplyPlain(a, p));
  }

  // ------------------------------------------------------------------ automorphisms

  /** Left rotation of the slots by {@code steps} (negative: right). */
  public Ciphertext rotate(Ciphertext a, int steps) {
    long g = KeyGenerator.rotationGaloisElement(params, steps);
    if (g == 1) {
      return a.copy();
    }
    return applyGalois(a, g);
  }

  /** Complex conjugation of every slot. */
  public Ciphertext conjugate(Ciphertext a) {
    return applyGalois(a, KeyGenerator.conjugationGaloisElement(params));
  }

  private Ciphertext applyGalois(Ciphertext a, long g) {
    requireDegree1(a);
    SwitchingKey key = keys().galoisKey(g);
    int level = a.level();
    switcher.decompose(a.poly(1), level);
    return finishGalois(a, key, g);
  }

  private Ciphertext finishGalois(Ciphertext a, SwitchingKey key, long g) {
    int level = a.level();
    int[] idx = ring.automorphismNttIndex(g);
    switcher.apply(key, idx, ks0, ks1);
    Ciphertext r = Ciphertext.allocate(n, 1, level, a.scale());
    for (int i = 0; i <= level; i++) {
      ring.automorphismNtt(a.poly(0)[i], idx, tmp);
      ring.add(tmp, ks0[i], r.poly(0)[i], i);
      System.arraycopy(ks1[i], 0, r.poly(1)[i], 0, n);
    }
    return r;
  }

  /**
   * Rotations of one ciphertext by several steps sharing one decomposition (hoisting). Entry i is the
   * rotation by {@code steps[i]}.
   */
  public Ciphertext[] rotateHoisted(Ciphertext a, int[] steps) {
    requireDegree1(a);
    Ciphertext[] out = new Ciphertext[steps.length];
    boolean decomposed = false;
    for (int s = 0; s < steps.length; s++) {
      long g = KeyGenerator.rotationGaloisElement(params, steps[s]);
      if (g == 1) {
        out[s] = a.copy();
        continue;
      }
      SwitchingKey key = keys().galoisKey(g);
      if (!decomposed) {
        switcher.decompose(a.poly(1), a.level());
        decomposed = true;
      }
      out[s] = finishGalois(a, key, g);
    }
    return out;
  }

  /**
   * a + Σ_s rot_{steps[s]}(a), hoisted twice: one key-switching decomposition of a shared by all steps
   * and one ModDown for the whole sum (instead of one decomposition and one ModDown per step when the
   * rotations are chained). Needs a Galois key for every step; cheaper than log2-many chained
   * rotate-and-add steps while the number of steps is small.
   */
  public Ciphertext sumRotations(Ciphertext a, int[] steps) {
    int[] all = new int[steps.length + 1];
    System.arraycopy(steps, 0, all, 1, steps.length);
    return rotateMulSum(a, all, null, null, 1.0);
  }

  /**
   * Σ_s w_s ⊙ rot_{steps[s]}(a) with one decomposition and one ModDown (Lattigo's double hoisting): the
   * key-switched parts of all rotations are weighted and summed over Q·P, and only the sum is divided
   * by P. w[s][i] is weight s modulo q_i for i ≤ level and w[s][level + 1] modulo P (NTT form), wS the
   * Shoup companions; w null means weight 1. The result's scale is a.scale · wScale.
   */
  Ciphertext rotateMulSum(Ciphertext a, int[] steps, long[][][] w, long[][][] wS, double wScale) {
    requireDegree1(a);
    int level = a.level();
    int sp = params.specialIndex();
    Ciphertext r = Ciphertext.allocate(n, 1, level, a.scale() * wScale);
    boolean extended = false;
    for (int s = 0; s < steps.length; s++) {
      long g = KeyGenerator.rotationGaloisElement(params, steps[s]);
      int[] idx = g == 1 ? null : ring.automorphismNttIndex(g);
      if (g != 1) {
        SwitchingKey key = keys().galoisKey(g);
        if (!extended) {
          switcher.decompose(a.poly(1), level);
          ensureExtendedScratch();
          for (int i = 0; i <= level + 1; i++) {
            java.util.Arrays.fill(ext0[i <= level ? i : sp], 0);
            java.util.Arrays.fill(ext1[i <= level ? i : sp], 0);
          }
          extended = true;
        }
        switcher.applyExtendedAccumulate(key, idx, w == null ? null : w[s], w == null ? null : wS[s], ext0, ext1);
      }
      // the c_0 part (and all of a for the identity step) stays over Q
      for (int i = 0; i <= level; i++) {
        long[] ws = w == null ? null : w[s][i];
        long[] wss = w == null ? null : wS[s][i];
        long q = ring.modulus(i).value();
        Modulus.mulAddShoup(a.poly(0)[i], idx, ws, wss, r.poly(0)[i], q);
        if (g == 1) {
          Modulus.mulAddShoup(a.poly(1)[i], null, ws, wss, r.poly(1)[i], q);
        }
      }
    }
    if (extended) {
      switcher.modDown(ext0, level, ks0);
      switcher.modDown(ext1, level, ks1);
      for (int i = 0; i <= level; i++) {
        ring.add(r.poly(0)[i], ks0[i], r.poly(0)[i], i);
        ring.add(r.poly(1)[i], ks1[i], r.poly(1)[i], i);
      }
    }
    return r;
  }

  private void ensureExtendedScratch() {
    if (ext0 == null) {
      int limbs = params.specialIndex() + 1;
      ext0 = new long[limbs][n];
      ext1 = new long[limbs][n];
    }
  }

  /**
   * Each slot i receives Σ_{t &lt; count} slot[i + t] (count a power of two), by log2(count)
   * rotations by 1, 2, 4, …; keys for those steps are needed.
   */
  public Ciphertext sumSlots(Ciphertext a, int count) {
    if (count < 1 || Integer.bitCount(count) != 1 || count > params.slots()) {
      throw new IllegalArgumentException("count must be a power of two ≤ slots: " + count);
    }
    Ciphertext acc = a.copy();
    for (int step = 1; step < count; step <<= 1) {
      Ciphertext r = rotate(acc, step);
      addInPlace(acc, r);
    }
    return acc;
  }

  private static void requireDegree1(Ciphertext a) {
    if (a.size() != 2) {
      throw new IllegalArgumentException("relinearise before rotating");
    }
  }

  private static void clearSeed(Ciphertext c) {
    // the seed only describes c_1 of a fresh encryption; once c_1 changes it must not be used
    c.clearSeed();
  }
}
