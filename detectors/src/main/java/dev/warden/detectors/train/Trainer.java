package dev.warden.detectors.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Trains a {@link DenseNetwork} with mini-batch SGD or Adam, in plain Java (double precision while
 * training, float in the result).
 *
 * <p>Deterministic: weight initialisation (Glorot normal) and the per-epoch shuffle come from one
 * {@link Random} seeded by {@link Builder#seed}. A seeded PRNG is used on purpose here: training
 * must be reproducible so tests and the shipped detector models can be rebuilt bit for bit; nothing
 * secret is derived from it.
 *
 * <pre>{@code
 * DenseNetwork mlp = Trainer.builder()
 *     .dense(32, Activation.RELU)
 *     .dense(10, Activation.SOFTMAX)
 *     .loss(Loss.SOFTMAX_CROSS_ENTROPY)
 *     .standardise(true)
 *     .epochs(60).seed(7)
 *     .build()
 *     .fitClassifier(train);
 * }</pre>
 *
 * Instances are immutable and thread-safe; each {@code fit} call is independent.
 */
public final class Trainer {
  private final List<Integer> units;
  private final List<Activation> activations;
  private final Loss loss;
  private final Optimizer optimizer;
  private final double learningRate;
  private final int epochs;
  private final int batchSize;
  private final double l2;
  private final long seed;
  private final boolean standardise;
  private final float[] fixedShift;
  private final float[] fixedScale;

  private Trainer(Builder b) {
    this.units = List.copyOf(b.units);
    this.activations = List.copyOf(b.activations);
    this.loss = b.loss;
    this.optimizer = b.optimizer;
    this.learningRate = b.learningRate;
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.l2 = b.l2;
    this.seed = b.seed;
    this.standardise = b.standardise;
    this.fixedShift = b.fixedShift;
    this.fixedScale = b.fixedScale;
  }

  /** A builder with defaults: Adam, learning rate 0.01, 50 epochs, batch 32, no L2, seed 0, no standardisation. */
  public static Builder builder() { return new Builder(); }

  /** Trains a classifier on one-hot targets of {@code d} (last layer SOFTMAX, softmax cross-entropy). */
  public DenseNetwork fitClassifier(Dataset d) {
    return fit(d.x(), d.oneHot());
  }

  /**
   * Trains on rows {@code x} towards {@code targets} (same number of rows; target width = last
   * layer's units).
   */
  public DenseNetwork fit(float[][] x, float[][] targets) {
    if (x.length == 0 || x.length != targets.length) {
      throw new IllegalArgumentException("need the same, non-zero number of rows and targets");
    }
    int n = x.length;
    int layers = units.size();
    int[] sizes = new int[layers + 1];
    sizes[0] = x[0].length;
    for (int l = 0; l < layers; l++) sizes[l + 1] = units.get(l);
    for (int i = 0; i < n; i++) {
      if (x[i].length != sizes[0]) throw new IllegalArgumentException("row " + i + " has " + x[i].length + " values, expected " + sizes[0]);
      if (targets[i].length != sizes[layers]) {
        throw new IllegalArgumentException("target " + i + " has " + targets[i].length + " values, last layer has " + sizes[layers]);
      }
    }
    float[] shift = null;
    float[] scale = null;
    if (fixedShift != null) {
      if (fixedShift.length != sizes[0]) throw new IllegalArgumentException("inputScaling has " + fixedShift.length + " values, input has " + sizes[0]);
      shift = fixedShift.clone();
      scale = fixedScale.clone();
    } else if (standardise) {
      shift = new float[sizes[0]];
      scale = new float[sizes[0]];
      for (int j = 0; j < sizes[0]; j++) {
        double mean = 0;
        for (float[] row : x) mean += row[j];
        mean /= n;
        double var = 0;
        for (float[] row : x) var += (row[j] - mean) * (row[j] - mean);
        double std = Math.sqrt(var / n);
        shift[j] = (float) mean;
        scale[j] = std < MIN_STD ? 1f : (float) (1.0 / std);
      }
    }
    // Inputs as the network sees them (after standardisation, in float as at inference time).
    double[][] xin = new double[n][sizes[0]];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < sizes[0]; j++) {
        float v = x[i][j];
        if (shift != null) v = (v - shift[j]) * scale[j];
        xin[i][j] = v;
      }
    }

    Random rnd = new Random(seed);
    double[][] w = new double[layers][];
    double[][] b = new double[layers][];
    for (int l = 0; l < layers; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      w[l] = new double[out * in];
      b[l] = new double[out];
      double sd = Math.sqrt(2.0 / (in + out));
      for (int k = 0; k < w[l].length; k++) w[l][k] = rnd.nextGaussian() * sd;
    }
    Adam[] adamW = new Adam[layers];
    Adam[] adamB = new Adam[layers];
    for (int l = 0; l < layers; l++) {
      adamW[l] = new Adam(w[l].length);
      adamB[l] = new Adam(b[l].length);
    }

    int bs = Math.min(batchSize, n);
    double[][] acts = new double[layers + 1][];
    double[][] zs = new double[layers][];
    double[][] deltas = new double[layers][];
    for (int l = 0; l <= layers; l++) acts[l] = new double[bs * sizes[l]];
    for (int l = 0; l < layers; l++) {
      zs[l] = new double[bs * sizes[l + 1]];
      deltas[l] = new double[bs * sizes[l + 1]];
    }
    int[][][] nz = new int[layers][bs][];
    int[][] nzCount = new int[layers][bs];
    for (int l = 0; l < layers; l++) for (int r = 0; r < bs; r++) nz[l][r] = new int[sizes[l]];
    double[][] gw = new double[layers][];
    double[][] gb = new double[layers][];
    for (int l = 0; l < layers; l++) {
      gw[l] = new double[w[l].length];
      gb[l] = new double[b[l].length];
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    long step = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (int start = 0; start < n; start += bs) {
        int m = Math.min(bs, n - start);
        for (int r = 0; r < m; r++) System.arraycopy(xin[order[start + r]], 0, acts[0], r * sizes[0], sizes[0]);
        // forward
        for (int l = 0; l < layers; l++) {
          int in = sizes[l];
          int out = sizes[l + 1];
          for (int r = 0; r < m; r++) {
            // sparse inputs (hashed text features, blank pixels, relu zeros): visit non-zeros only
            int ab = r * in;
            int cnt = 0;
            int[] nzr = nz[l][r];
            for (int k = 0; k < in; k++) if (acts[l][ab + k] != 0) nzr[cnt++] = k;
            nzCount[l][r] = cnt;
            for (int o = 0; o < out; o++) {
              double acc = b[l][o];
              int wb = o * in;
              for (int j = 0; j < cnt; j++) {
                int k = nzr[j];
                acc += w[l][wb + k] * acts[l][ab + k];
              }
              zs[l][r * out + o] = acc;
              acts[l + 1][r * out + o] = acc;
            }
            activations.get(l).apply(acts[l + 1], r * out, out);
          }
        }
        // output delta
        int outN = sizes[layers];
        double[] dOut = deltas[layers - 1];
        Activation last = activations.get(layers - 1);
        for (int r = 0; r < m; r++) {
          float[] t = targets[order[start + r]];
          for (int o = 0; o < outN; o++) {
            int idx = r * outN + o;
            double a = acts[layers][idx];
            if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
              dOut[idx] = (a - t[o]) / m;
            } else {
              dOut[idx] = 2.0 * (a - t[o]) / (m * (double) outN) * last.derivative(zs[layers - 1][idx], a);
            }
          }
        }
        // backward
        for (int l = layers - 1; l >= 0; l--) {
          int in = sizes[l];
          int out = sizes[l + 1];
          java.util.Arrays.fill(gw[l], 0);
          java.util.Arrays.fill(gb[l], 0);
          double[] d = deltas[l];
          for (int r = 0; r < m; r++) {
            int[] nzr = nz[l][r];
            int cnt = nzCount[l][r];
            int ab = r * in;
            for (int o = 0; o < out; o++) {
              double dv = d[r * out + o];
              if (dv == 0) continue;
              gb[l][o] += dv;
              int wb = o * in;
              for (int j = 0; j < cnt; j++) {
                int k = nzr[j];
                gw[l][wb + k] += dv * acts[l][ab + k];
              }
            }
          }
          if (l > 0) {
            double[] dPrev = deltas[l - 1];
            Activation prevAct = activations.get(l - 1);
            for (int r = 0; r < m; r++) {
              for (int k = 0; k < in; k++) {
                double acc = 0;
                for (int o = 0; o < out; o++) acc += d[r * out + o] * w[l][o * in + k];
                int idx = r * in + k;
                dPrev[idx] = acc * prevAct.derivative(zs[l - 1][idx], acts[l][idx]);
              }
            }
          }
          if (l2 > 0) for (int k = 0; k < w[l].length; k++) gw[l][k] += l2 * w[l][k];
        }
        step++;
        for (int l = 0; l < layers; l++) {
          update(w[l], gw[l], adamW[l], step);
          update(b[l], gb[l], adamB[l], step);
        }
      }
    }
    List<float[]> fw = new ArrayList<>();
    List<float[]> fb = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      fw.add(toFloat(w[l]));
      fb.add(toFloat(b[l]));
    }
    for (int l = 0; l < layers; l++) {
      for (double v : w[l]) {
        if (!Double.isFinite(v)) {
          throw new IllegalStateException("training diverged (non-finite weight in layer " + l
              + "); lower the learning rate or standardise the input");
        }
      }
    }
    return DenseNetwork.of(shift, scale, fw, fb, activations, sizes[0]);
  }

  private void update(double[] p, double[] g, Adam s, long t) {
    if (optimizer == Optimizer.SGD) {
      for (int k = 0; k < p.length; k++) p[k] -= learningRate * g[k];
      return;
    }
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int k = 0; k < p.length; k++) {
      s.m[k] = BETA1 * s.m[k] + (1 - BETA1) * g[k];
      s.v[k] = BETA2 * s.v[k] + (1 - BETA2) * g[k] * g[k];
      double mh = s.m[k] / c1;
      double vh = s.v[k] / c2;
      p[k] -= learningRate * mh / (Math.sqrt(vh) + EPS);
    }
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  /** Adam's first-moment decay (the paper's default). */
  private static final double BETA1 = 0.9;
  /** Adam's second-moment decay (the paper's default). */
  private static final double BETA2 = 0.999;
  /** Adam's denominator guard (the paper's default). */
  private static final double EPS = 1e-8;
  /** A feature whose spread is below this is constant in training: leave it unscaled (scale 1). */
  private static final double MIN_STD = 1e-6;

  private static final class Adam {
    final double[] m;
    final double[] v;
    Adam(int n) {
      m = new double[n];
      v = new double[n];
    }
  }

  /** Mutable configuration; {@link #build()} validates it. */
  public static final class Builder {
    private final List<Integer> units = new ArrayList<>();
    private final List<Activation> activations = new ArrayList<>();
    private Loss loss = Loss.SOFTMAX_CROSS_ENTROPY;
    private Optimizer optimizer = Optimizer.ADAM;
    private double learningRate = 0.01;
    private int epochs = 50;
    private int batchSize = 32;
    private double l2 = 0;
    private long seed = 0;
    private boolean standardise;
    private float[] fixedShift;
    private float[] fixedScale;

    private Builder() {}

    /** Appends a dense layer of {@code units} outputs with the given activation. */
    public Builder dense(int units, Activation activation) {
      if (units <= 0) throw new IllegalArgumentException("units must be positive, got " + units);
      this.units.add(units);
      this.activations.add(Objects.requireNonNull(activation, "activation"));
      return this;
    }

    /** The loss (default softmax cross-entropy). */
    public Builder loss(Loss loss) { this.loss = Objects.requireNonNull(loss, "loss"); return this; }

    /** The optimiser (default Adam). */
    public Builder optimizer(Optimizer optimizer) { this.optimizer = Objects.requireNonNull(optimizer, "optimizer"); return this; }

    /** Step size (default 0.01). */
    public Builder learningRate(double lr) {
      if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learningRate must be positive, got " + lr);
      this.learningRate = lr;
      return this;
    }

    /** Passes over the training data (default 50). */
    public Builder epochs(int epochs) {
      if (epochs <= 0) throw new IllegalArgumentException("epochs must be positive, got " + epochs);
      this.epochs = epochs;
      return this;
    }

    /** Mini-batch size (default 32). */
    public Builder batchSize(int batchSize) {
      if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /** L2 penalty {@code (l2/2) * sum W^2} on the weights (not the biases); default 0. */
    public Builder l2(double l2) {
      if (!(l2 >= 0) || !Double.isFinite(l2)) throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
      this.l2 = l2;
      return this;
    }

    /** Seed of the initialisation and shuffling PRNG (default 0). */
    public Builder seed(long seed) { this.seed = seed; return this; }

    /**
     * Learn a per-feature standardisation {@code (x - mean) / std} from the training rows and put it
     * inside the model (default off).
     */
    public Builder standardise(boolean on) { this.standardise = on; return this; }

    /**
     * A fixed input transform {@code (x - shift) * scale} put inside the model instead of a learned
     * standardisation (e.g. shift 0, scale 1/16 for 0..16 pixels).
     */
    public Builder inputScaling(float[] shift, float[] scale) {
      if (shift.length != scale.length) throw new IllegalArgumentException("shift and scale differ in length");
      this.fixedShift = shift.clone();
      this.fixedScale = scale.clone();
      return this;
    }

    /** Validates and builds. */
    public Trainer build() {
      if (units.isEmpty()) throw new IllegalStateException("add at least one dense layer");
      for (int l = 0; l < activations.size() - 1; l++) {
        if (activations.get(l) == Activation.SOFTMAX) throw new IllegalStateException("SOFTMAX is only allowed on the last layer");
      }
      Activation last = activations.get(activations.size() - 1);
      if (loss == Loss.SOFTMAX_CROSS_ENTROPY && last != Activation.SOFTMAX) {
        throw new IllegalStateException("SOFTMAX_CROSS_ENTROPY needs a SOFTMAX last layer, got " + last);
      }
      if (loss == Loss.MSE && last == Activation.SOFTMAX) {
        throw new IllegalStateException("MSE with a SOFTMAX last layer is not supported; use SOFTMAX_CROSS_ENTROPY");
      }
      return new Trainer(this);
    }
  }
}
