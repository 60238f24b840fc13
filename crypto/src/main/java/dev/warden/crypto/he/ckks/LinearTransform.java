package dev.warden.crypto.he.ckks;

import dev.warden.crypto.he.ring.Modulus;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Plaintext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A slot-wise linear map y = M·x evaluated by the diagonal method (Halevi–Shoup 2014) with
 * baby-step/giant-step (BSGS) and hoisted baby rotations.
 *
 * <p>M is given by its generalised diagonals d_k[i] = M[i][(i + k) mod n] (n = slots), so
 * M·x = Σ_k d_k ⊙ rot_k(x). Writing k = g·n1 + b (n1 baby steps), M·x = Σ_g rot_{g·n1}(Σ_b d'_{g,b} ⊙ rot_b(x))
 * with d'_{g,b} = rot_{−g·n1}(d_k) pre-rotated and pre-encoded here, once. Cost: (n1 − 1) hoisted
 * rotations (one shared decomposition) + (#giant − 1) rotations + #diagonals ct×pt products, instead of
 * one full rotation per diagonal.
 *
 * <p>Plaintext diagonals are encoded at a caller-chosen scale; choosing the prime q_ℓ that the following
 * rescale divides by keeps the ciphertext's scale exactly unchanged. Immutable after construction;
 * {@link #apply} may be called concurrently with distinct evaluators.
 */
public final class LinearTransform {
  private final int slots;
  private final int level;
  private final double scale;
  private final int babySteps;
  private final TreeMap<Integer, TreeMap<Integer, Plaintext>> byGiant = new TreeMap<>();
  /** Shoup companions floor(w·2^64/q) of every diagonal coefficient, same shape as the plaintexts. */
  private final java.util.IdentityHashMap<Plaintext, long[][]> shoup = new java.util.IdentityHashMap<>();
  private final RingContext ring;
  private final TreeSet<Integer> babies = new TreeSet<>();
  /** Whether {@link #apply} sums each giant step's baby rotations over Q·P with one ModDown. */
  private final boolean doubleHoisted;
  /** Double hoisting only: each diagonal modulo P and its Shoup companion. */
  private final java.util.IdentityHashMap<Plaintext, long[][]> extended = new java.util.IdentityHashMap<>();

  /**
   * @param diagonals map k → d_k (length ≤ slots; k in [0, slots))
   * @param babySteps n1, or 0 to choose ≈ sqrt of the diagonal span
   */
  public LinearTransform(Encoder encoder, Map<Integer, double[]> diagonals, int level, double scale, int babySteps) {
    this.slots = encoder.slots();
    this.ring = encoder.parameters().ring();
    this.level = level;
    this.scale = scale;
    if (diagonals.isEmpty()) {
      throw new IllegalArgumentException("no diagonals");
    }
    int maxK = 0;
    for (int k : diagonals.keySet()) {
      if (k < 0 || k >= slots) {
        throw new IllegalArgumentException("diagonal index out of range: " + k);
      }
      maxK = Math.max(maxK, k);
    }
    int n1 = babySteps;
    if (n1 <= 0) {
      n1 = 1;
      while ((long) n1 * n1 < maxK + 1) {
        n1 <<= 1;
      }
    }
    this.babySteps = n1;
    TreeSet<Integer> giantsAhead = new TreeSet<>();
    TreeSet<Integer> babiesAhead = new TreeSet<>();
    for (int k : diagonals.keySet()) {
      giantsAhead.add(k / n1);
      if (k % n1 != 0) {
        babiesAhead.add(k % n1);
      }
    }
    // one ModDown per giant step instead of one per baby rotation: pays when babies outnumber giants
    this.doubleHoisted = babiesAhead.size() > giantsAhead.size();
    int sp = encoder.parameters().specialIndex();
    double[] rotated = new double[slots];
    for (Map.Entry<Integer, double[]> e : diagonals.entrySet()) {
      int k = e.getKey();
      double[] d = e.getValue();
      if (d.length > slots) {
        throw new IllegalArgumentException("diagonal " + k + " longer than the slot count");
      }
      int g = k / n1;
      int b = k % n1;
      int shift = g * n1;
      java.util.Arrays.fill(rotated, 0);
      for (int i = 0; i < d.length; i++) {
        // rotated = rot_{−shift}(d): rotated[(i + shift) mod n] = d[i]
        rotated[(i + shift) % slots] = d[i];
      }
      Plaintext pt = encoder.encode(rotated, level, scale);
      long[][] sh = new long[level + 1][];
      for (int i = 0; i <= level; i++) {
        sh[i] = shoupCompanion(ring.modulus(i), pt.poly()[i]);
      }
      shoup.put(pt, sh);
      if (doubleHoisted) {
        long[] wp = encoder.encodeRns(rotated, null, scale, new int[] {sp})[0];
        extended.put(pt, new long[][] {wp, shoupCompanion(ring.modulus(sp), wp)});
      }
      byGiant.computeIfAbsent(g, x -> new TreeMap<>()).put(b, pt);
      babies.add(b);
    }
  }

  static long[] shoupCompanion(Modulus m, long[] w) {
    long[] out = new long[w.length];
    for (int k = 0; k < w.length; k++) {
      out[k] = m.shoup(w[k]);
    }
    return out;
  }

  /** Rotation steps whose Galois keys {@link #apply} needs. */
  public List<Integer> rotationSteps() {
    TreeSet<Integer> steps = new TreeSet<>();
    for (int b : babies) {
      if (b != 0) {
        steps.add(b);
      }
    }
    for (int g : byGiant.keySet()) {
      if (g != 0) {
        steps.add(g * babySteps);
      }
    }
    return Collections.unmodifiableList(new ArrayList<>(steps));
  }

  public int level() {
    return level;
  }

  public double scale() {
    return scale;
  }

  /** M·ct at ct's level with scale ct.scale·scale (rescale afterwards). */
  public Ciphertext apply(Evaluator ev, Ciphertext ct) {
    if (ct.level() != level) {
      throw new IllegalArgumentException("transform encoded for level " + level + ", ciphertext at " + ct.level());
    }
    if (doubleHoisted) {
      return applyDoubleHoisted(ev, ct);
    }
    int[] steps = babies.stream().mapToInt(Integer::intValue).toArray();
    Ciphertext[] rotated = ev.rotateHoisted(ct, steps);
    Map<Integer, Ciphertext> baby = new TreeMap<>();
    for (int i = 0; i < steps.length; i++) {
      baby.put(steps[i], rotated[i]);
    }
    Ciphertext result = null;
    int n = ev.parameters().n();
    for (Map.Entry<Integer, TreeMap<Integer, Plaintext>> giant : byGiant.entrySet()) {
      Ciphertext inner = Ciphertext.allocate(n, 1, level, ct.scale() * scale);
      // Σ_b d'_{g,b} ⊙ baby_b with Shoup products, lazily accumulated in [0, 2q)
      for (int i = 0; i <= level; i++) {
        long q = ring.modulus(i).value();
        long twoQ = 2 * q;
        for (int d = 0; d < 2; d++) {
          long[] acc = inner.poly(d)[i];
          for (Map.Entry<Integer, Plaintext> e : giant.getValue().entrySet()) {
            long[] x = baby.get(e.getKey()).poly(d)[i];
            long[] w = e.getValue().poly()[i];
            long[] ws = shoup.get(e.getValue())[i];
            for (int k = 0; k < n; k++) {
              long xk = x[k];
              long wsk = ws[k];
              long quot = Math.multiplyHigh(xk, wsk) + ((wsk >> 63) & xk);
              long v = acc[k] + (xk * w[k] - quot * q);
              acc[k] = Modulus.reduceOnce(v, twoQ);
            }
          }
          for (int k = 0; k < n; k++) {
            acc[k] = Modulus.reduceOnce(acc[k], q);
          }
        }
      }
      result = addGiant(ev, result, inner, giant.getKey());
    }
    return result;
  }

  /** Per giant step g: rot_{g·n1}(Σ_b d'_{g,b} ⊙ rot_b(x)) with the inner sum doubly hoisted. */
  private Ciphertext applyDoubleHoisted(Evaluator ev, Ciphertext ct) {
    Ciphertext result = null;
    for (Map.Entry<Integer, TreeMap<Integer, Plaintext>> giant : byGiant.entrySet()) {
      int count = giant.getValue().size();
      int[] steps = new int[count];
      long[][][] w = new long[count][level + 2][];
      long[][][] wS = new long[count][level + 2][];
      int s = 0;
      for (Map.Entry<Integer, Plaintext> e : giant.getValue().entrySet()) {
        steps[s] = e.getKey();
        long[][] sh = shoup.get(e.getValue());
        long[][] ext = extended.get(e.getValue());
        for (int i = 0; i <= level; i++) {
          w[s][i] = e.getValue().poly()[i];
          wS[s][i] = sh[i];
        }
        w[s][level + 1] = ext[0];
        wS[s][level + 1] = ext[1];
        s++;
      }
      Ciphertext inner = ev.rotateMulSum(ct, steps, w, wS, scale);
      result = addGiant(ev, result, inner, giant.getKey());
    }
    return result;
  }

  /** result + rot_{g·n1}(inner) (result null: the first giant step). */
  private Ciphertext addGiant(Evaluator ev, Ciphertext result, Ciphertext inner, int g) {
    Ciphertext rotated = g != 0 ? ev.rotate(inner, g * babySteps) : inner;
    if (result == null) {
      return rotated;
    }
    ev.addInPlace(result, rotated);
    return result;
  }
}
