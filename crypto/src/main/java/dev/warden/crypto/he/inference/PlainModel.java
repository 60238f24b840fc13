package dev.warden.crypto.he.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A feed-forward model in the normal form homomorphic evaluation needs:
 * {@code Affine (Square Affine)* [Square]} followed by an optional element-wise output affine and a
 * post-processing step (softmax, sigmoid, argmax) that the key holder runs after decryption.
 *
 * <p>Produced by {@link OnnxImporter} (which folds element-wise scalings, consecutive linear layers
 * and declared degree-2 polynomials c2·x² + c1·x + c0 = c2·(x + c1/2c2)² + const into this form) and
 * evaluated in plain double arithmetic by {@link #evaluate} as the reference. Immutable.
 */
public final class PlainModel {
  /** What runs after decryption, on the key holder's side. */
  public enum PostProcessing { NONE, SOFTMAX, SIGMOID, ARGMAX }

  /** One homomorphic stage. */
  public interface Stage {}

  /** y = W·x + b with W of shape [out][in]. */
  public static final class Affine implements Stage {
    final double[][] w;
    final double[] b;

    public Affine(double[][] w, double[] b) {
      if (w.length == 0 || w.length != b.length) {
        throw new IllegalArgumentException("affine layer shape mismatch");
      }
      int in = w[0].length;
      for (double[] row : w) {
        if (row.length != in) {
          throw new IllegalArgumentException("ragged weight matrix");
        }
        for (double v : row) {
          if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("non-finite weight");
          }
        }
      }
      this.w = w;
      this.b = b;
    }

    public int in() {
      return w[0].length;
    }

    public int out() {
      return w.length;
    }

    double[] apply(double[] x) {
      double[] y = new double[out()];
      for (int o = 0; o < y.length; o++) {
        double acc = b[o];
        for (int i = 0; i < x.length; i++) {
          acc += w[o][i] * x[i];
        }
        y[o] = acc;
      }
      return y;
    }
  }

  /** y = x ⊙ x. */
  public static final class Square implements Stage {
    static final Square INSTANCE = new Square();

    private Square() {}
  }

  private final int inputSize;
  private final List<Stage> stages;
  private final double[] outScale;
  private final double[] outShift;
  private final PostProcessing post;

  PlainModel(int inputSize, List<Stage> stages, double[] outScale, double[] outShift, PostProcessing post) {
    this.inputSize = inputSize;
    this.stages = Collections.unmodifiableList(new ArrayList<>(stages));
    this.outScale = outScale;
    this.outShift = outShift;
    this.post = post;
    if (stages.isEmpty() || !(stages.get(0) instanceof Affine)) {
      throw new IllegalArgumentException("a model starts with a linear layer");
    }
  }

  public int inputSize() {
    return inputSize;
  }

  public int outputSize() {
    for (int i = stages.size() - 1; i >= 0; i--) {
      if (stages.get(i) instanceof Affine) {
        return ((Affine) stages.get(i)).out();
      }
    }
    throw new IllegalStateException();
  }

  public List<Stage> stages() {
    return stages;
  }

  public PostProcessing postProcessing() {
    return post;
  }

  /** Multiplicative depth: one level per linear layer and per square. */
  public int depth() {
    return stages.size();
  }

  /** Scores before post-processing (after the element-wise output affine). */
  public double[] scores(double[] x) {
    if (x.length != inputSize) {
      throw new IllegalArgumentException("input has " + x.length + " values, model expects " + inputSize);
    }
    double[] v = x;
    for (Stage s : stages) {
      if (s instanceof Affine) {
        v = ((Affine) s).apply(v);
      } else {
        double[] y = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          y[i] = v[i] * v[i];
        }
        v = y;
      }
    }
    return finishScores(v);
  }

  double[] finishScores(double[] raw) {
    double[] y = raw.clone();
    if (outScale != null) {
      for (int i = 0; i < y.length; i++) {
        y[i] = y[i] * outScale[i] + outShift[i];
      }
    }
    return y;
  }

  /** Applies the post-processing to scores (softmax / sigmoid; argmax returns a one-hot vector). */
  public double[] postProcess(double[] scores) {
    double[] y = scores.clone();
    switch (post) {
      case SOFTMAX -> {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : y) {
          max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
          y[i] = Math.exp(y[i] - max);
          sum += y[i];
        }
        for (int i = 0; i < y.length; i++) {
          y[i] /= sum;
        }
      }
      case SIGMOID -> {
        for (int i = 0; i < y.length; i++) {
          y[i] = 1 / (1 + Math.exp(-y[i]));
        }
      }
      case ARGMAX -> {
        int best = argmax(y);
        java.util.Arrays.fill(y, 0);
        y[best] = 1;
      }
      case NONE -> { }
    }
    return y;
  }

  /** Full plaintext reference: scores then post-processing. */
  public double[] evaluate(double[] x) {
    return postProcess(scores(x));
  }

  public static int argmax(double[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("PlainModel(" + inputSize);
    for (Stage s : stages) {
      sb.append(s instanceof Affine ? " → linear " + ((Affine) s).out() : " → square");
    }
    return sb.append(", post=").append(post).append(')').toString();
  }
}
