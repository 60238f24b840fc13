package dev.warden.crypto.he.inference;

import dev.warden.crypto.he.ckks.Encoder;
import dev.warden.crypto.he.ckks.Evaluator;
import dev.warden.crypto.he.ckks.LinearTransform;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A {@link PlainModel} compiled into a CKKS circuit for one parameter set: slot layout, pre-encoded
 * weight diagonals and biases, the rotation set, and the input/output level and scale.
 *
 * <p><b>Layout.</b> Let B be the smallest power of two ≥ every layer width. Each request owns a block of
 * 2B consecutive slots holding its vector twice, (x, x) — so a rotation by k &lt; B reads x cyclically in
 * the first half of every block — and one ciphertext carries {@link #batchCapacity()} = slots/(2B)
 * requests. A linear layer is the B×B diagonal method ({@link LinearTransform}, BSGS, hoisted) with the
 * diagonals zeroed in the second half of each block, so the result is (y, 0); one rotation by −B and an
 * addition restore (y, y) for the next layer. Squares act slot-wise. Outputs of request r are in slots
 * r·2B + o.
 *
 * <p>The last layer, when its output width out' (next power of two) is below B, uses the hybrid method:
 * out' diagonals e_k[p] = W[p mod out'][(p + k) mod B], then log2(B/out') rotate-and-add steps.
 *
 * <p>A model with a single linear layer (logistic regression) runs entirely at level 0 without rescale:
 * input at scale 2^26, weights at 2^20, scores at 2^46.
 *
 * <p><b>Levels and scales.</b> Each layer and each square uses one level; the input is encrypted at level
 * {@link #inputLevel()} = depth (lower levels are cheaper). Weight diagonals are encoded at the scale
 * q_ℓ of the prime the following rescale removes, so a linear layer leaves the scale unchanged; a
 * square maps Δ to Δ²/q_ℓ. {@link #outputLevel()} and {@link #outputScale()} are what the key holder
 * must expect ({@code SafeDecryptor.expect}).
 *
 * <p>Immutable; {@link #evaluate} is safe to call concurrently with one {@link Evaluator} per thread.
 */
public final class CompiledModel {
  private final PlainModel model;
  private final Parameters params;
  private final int blockHalf; // B
  private final int batchCapacity;
  private final int inputLevel;
  private final double inputScale;
  private final List<Object> plan = new ArrayList<>(); // LinearStep | SquareStep
  private final TreeSet<Integer> rotations = new TreeSet<>();
  private final int outputLevel;
  private final double outputScale;
  private final boolean needsRelin;

  /**
   * @param hybridSum steps of a hoisted rotate-and-sum (all at once), or null for log2(B/rows) chained
   *     rotate-and-add steps
   */
  private record LinearStep(LinearTransform transform, Plaintext bias, boolean duplicate, int hybridRows,
      int[] hybridSum, boolean rescale) {}

  /** Widest single layer whose every diagonal becomes a baby step (one Galois key each). */
  static final int MAX_ALL_BABY_ROWS = 16;

  /**
   * The hybrid layer's sum over the B/rows blocks as one hoisted sum of rotations by rows, 2·rows, …
   * (one decomposition, one ModDown) when that needs at most twice the keys of the chained
   * log2(B/rows) steps; else null.
   */
  private static int[] hybridSumSteps(int b, int rows) {
    int blocks = b / rows;
    if (blocks - 1 > 2 * Integer.numberOfTrailingZeros(blocks)) {
      return null;
    }
    int[] steps = new int[blocks - 1];
    for (int c = 1; c < blocks; c++) {
      steps[c - 1] = c * rows;
    }
    return steps;
  }

  /** Input scale of single-layer models evaluated at level 0. */
  static final double SINGLE_LAYER_INPUT_SCALE = 0x1p26;
  /** Weight scale of single-layer models (weights quantised to 2^-20 relative to their encoding). */
  static final double SINGLE_LAYER_WEIGHT_SCALE = 0x1p20;

  private final boolean singleLayerAtLevel0;

  private static boolean stages1(PlainModel m) {
    return m.stages().size() == 1;
  }

  private record SquareStep() {}

  private CompiledModel(PlainModel model, Parameters params, Encoder encoder) {
    this.model = model;
    this.params = params;
    int maxDim = model.inputSize();
    for (PlainModel.Stage s : model.stages()) {
      if (s instanceof PlainModel.Affine a) {
        maxDim = Math.max(maxDim, Math.max(a.in(), a.out()));
      }
    }
    int b = 1;
    while (b < maxDim) {
      b <<= 1;
    }
    this.blockHalf = b;
    int slots = params.slots();
    if (2 * b > slots) {
      throw new IllegalArgumentException("layer width " + maxDim + " needs " + 2 * b + " slots; parameters have " + slots);
    }
    this.batchCapacity = slots / (2 * b);
    int depth = model.depth();
    if (depth > params.maxLevel()) {
      throw new IllegalArgumentException("model depth " + depth + " exceeds the parameters' " + params.maxLevel()
          + " levels: choose a larger parameter set");
    }
    // A single linear layer needs no rescale: with input scale 2^26 and weights at 2^20 the product has
    // scale 2^46 at level 0 (q_0 ≥ 2^59 leaves ≥ 12 bits for |score|), so everything runs on one limb —
    // about half the work of the level-1 circuit.
    boolean single = stages1(model) && params.q(0) > (1L << 59);
    this.singleLayerAtLevel0 = single;
    this.inputLevel = single ? 0 : depth;
    this.inputScale = single ? SINGLE_LAYER_INPUT_SCALE : params.defaultScale();
    int level = inputLevel;
    double scale = inputScale;
    boolean relin = false;
    List<PlainModel.Stage> stages = model.stages();
    for (int si = 0; si < stages.size(); si++) {
      PlainModel.Stage s = stages.get(si);
      if (s instanceof PlainModel.Affine a) {
        double ptScale = single ? SINGLE_LAYER_WEIGHT_SCALE : params.q(level);
        boolean last = si + 1 == stages.size();
        int outPow2 = Integer.highestOneBit(Math.max(1, a.out() - 1)) << (a.out() > 1 ? 1 : 0);
        // the last layer, when much narrower than B, uses the hybrid method: out' diagonals then
        // log2(B/out') rotate-and-add steps (its garbage slots are never decrypted)
        int hybrid = last && outPow2 < b ? outPow2 : 0;
        int rows = hybrid > 0 ? hybrid : b;
        // a narrow single layer takes all its diagonals as baby steps: one decomposition and one
        // ModDown for the whole transform (LinearTransform's double hoisting), at one Galois key per diagonal
        int baby = single && rows <= MAX_ALL_BABY_ROWS ? rows : 0;
        LinearTransform lt = new LinearTransform(encoder, diagonals(a, rows), level, ptScale, baby);
        rotations.addAll(lt.rotationSteps());
        int[] sumSteps = hybrid > 0 ? hybridSumSteps(b, hybrid) : null;
        for (int step = hybrid; hybrid > 0 && step < b; step <<= 1) {
          if (sumSteps == null) {
            rotations.add(step);
          }
        }
        if (sumSteps != null) {
          for (int step : sumSteps) {
            rotations.add(step);
          }
        }
        double after = single ? scale * ptScale : scale * ptScale / params.q(level);
        if (!single) {
          level--;
        }
        double[] bias = new double[slots];
        for (int r = 0; r < batchCapacity; r++) {
          for (int o = 0; o < a.out(); o++) {
            bias[r * 2 * b + o] = a.b[o];
          }
        }
        boolean dup = si + 1 < stages.size();
        if (dup) {
          rotations.add(-b);
        }
        plan.add(new LinearStep(lt, encoder.encode(bias, level, after), dup, hybrid, sumSteps, !single));
        scale = after;
      } else {
        relin = true;
        scale = scale * scale / params.q(level);
        level--;
        plan.add(new SquareStep());
      }
    }
    this.outputLevel = level;
    this.outputScale = scale;
    this.needsRelin = relin;
  }

  /** Compiles {@code model} for {@code params} (encodes every weight once; takes a moment for big layers). */
  public static CompiledModel compile(PlainModel model, Parameters params) {
    return new CompiledModel(model, params, new Encoder(params));
  }

  /**
   * The generalised diagonals e_k[p] = W[p mod rows][(p + k) mod B] for p in [0, B), k &lt; rows (zero
   * outside W), repeated for every batch slot. With rows = B these are the plain diagonals; a hybrid
   * layer (out ≤ rows &lt; B) sums the result over p, p + rows, p + 2·rows, … to get y[p].
   */
  private Map<Integer, double[]> diagonals(PlainModel.Affine a, int rows) {
    int b = blockHalf;
    int slots = params.slots();
    Map<Integer, double[]> diags = new HashMap<>();
    for (int k = 0; k < rows; k++) {
      double[] block = new double[2 * b];
      boolean nonzero = false;
      for (int p = 0; p < b; p++) {
        int row = p % rows;
        int col = (p + k) % b;
        if (row < a.out() && col < a.in()) {
          block[p] = a.w[row][col];
          nonzero |= block[p] != 0;
        }
      }
      if (!nonzero) {
        continue;
      }
      double[] d = new double[slots];
      for (int r = 0; r < batchCapacity; r++) {
        System.arraycopy(block, 0, d, r * 2 * b, 2 * b);
      }
      diags.put(k, d);
    }
    if (diags.isEmpty()) {
      diags.put(0, new double[slots]);
    }
    return diags;
  }

  public PlainModel model() {
    return model;
  }

  public Parameters parameters() {
    return params;
  }

  /** Requests that fit in one ciphertext. */
  public int batchCapacity() {
    return batchCapacity;
  }

  /** Rotation steps whose Galois keys the evaluator needs (and nothing else). */
  public List<Integer> rotationSteps() {
    return Collections.unmodifiableList(new ArrayList<>(rotations));
  }

  public boolean needsRelinKey() {
    return needsRelin;
  }

  public int inputLevel() {
    return inputLevel;
  }

  public double inputScale() {
    return inputScale;
  }

  public int outputLevel() {
    return outputLevel;
  }

  public double outputScale() {
    return outputScale;
  }

  /** Slots holding output o of request r, for r &lt; batch, in request-major order. */
  public int[] outputSlots(int batch) {
    checkBatch(batch);
    int out = model.outputSize();
    int[] s = new int[batch * out];
    for (int r = 0; r < batch; r++) {
      for (int o = 0; o < out; o++) {
        s[r * out + o] = r * 2 * blockHalf + o;
      }
    }
    return s;
  }

  private void checkBatch(int batch) {
    if (batch < 1 || batch > batchCapacity) {
      throw new IllegalArgumentException("batch of " + batch + " requests; one ciphertext holds 1.." + batchCapacity);
    }
  }

  /** Client side: encodes up to {@link #batchCapacity()} input vectors in the layout. */
  public Plaintext encodeInputs(Encoder encoder, double[][] inputs) {
    checkBatch(inputs.length);
    int b = blockHalf;
    double[] slots = new double[params.slots()];
    for (int r = 0; r < inputs.length; r++) {
      if (inputs[r].length != model.inputSize()) {
        throw new IllegalArgumentException("input " + r + " has " + inputs[r].length + " values, model expects "
            + model.inputSize());
      }
      for (int i = 0; i < inputs[r].length; i++) {
        if (!Double.isFinite(inputs[r][i])) {
          throw new IllegalArgumentException("input " + r + " value " + i + " is not finite");
        }
        slots[r * 2 * b + i] = inputs[r][i];
        slots[r * 2 * b + b + i] = inputs[r][i];
      }
    }
    return encoder.encode(slots, inputLevel, inputScale);
  }

  /** Server side: runs the circuit on an encrypted batch. Needs no secret. */
  public Ciphertext evaluate(Evaluator ev, Ciphertext input) {
    if (input.size() != 2 || input.level() != inputLevel
        || Math.abs(input.scale() - inputScale) > 0x1p-20 * inputScale) {
      throw new IllegalArgumentException("input ciphertext has the wrong shape: " + input + ", expected level "
          + inputLevel);
    }
    Ciphertext ct = input;
    for (Object step : plan) {
      if (step instanceof LinearStep ls) {
        Ciphertext y = ls.rescale() ? ev.rescale(ls.transform().apply(ev, ct)) : ls.transform().apply(ev, ct);
        if (ls.hybridSum() != null) {
          y = ev.sumRotations(y, ls.hybridSum());
        }
        for (int sh = ls.hybridRows(); ls.hybridSum() == null && ls.hybridRows() > 0 && sh < blockHalf; sh <<= 1) {
          ev.addInPlace(y, ev.rotate(y, sh));
        }
        y.setScale(ls.bias().scale()); // exact bookkeeping value (equal up to rounding of q_ℓ/q_ℓ)
        ev.addPlainInPlace(y, ls.bias());
        if (ls.duplicate()) {
          ev.addInPlace(y, ev.rotate(y, -blockHalf));
        }
        ct = y;
      } else {
        ct = ev.multiplyRelinRescale(ct, ct);
      }
    }
    return ct;
  }

  /**
   * Key-holder side: turns the released output values ({@code outputSlots(batch)} order) into per-request
   * scores (after the output affine) — apply {@link PlainModel#postProcess} for probabilities.
   */
  public double[][] scores(double[] released, int batch) {
    int out = model.outputSize();
    if (released.length != batch * out) {
      throw new IllegalArgumentException("expected " + batch * out + " values");
    }
    double[][] s = new double[batch][];
    for (int r = 0; r < batch; r++) {
      s[r] = model.finishScores(java.util.Arrays.copyOfRange(released, r * out, (r + 1) * out));
    }
    return s;
  }
}
