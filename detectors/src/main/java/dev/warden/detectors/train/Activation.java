package dev.warden.detectors.train;

/** Element-wise (or, for {@link #SOFTMAX}, row-wise) activation of a dense layer. */
public enum Activation {
  /** f(z) = z. */
  IDENTITY,
  /** f(z) = max(0, z). */
  RELU,
  /** f(z) = z * z (the polynomial activation that homomorphic inference can evaluate). */
  SQUARE,
  /** f(z) = 1 / (1 + e^-z). */
  SIGMOID,
  /** Row-wise e^z_i / sum_j e^z_j; only allowed on the last layer, with softmax cross-entropy. */
  SOFTMAX;

  /** Applies this activation in place to {@code v[off .. off+n)}, in float like ONNX Runtime. */
  void apply(float[] v, int off, int n) {
    switch (this) {
      case IDENTITY -> { }
      case RELU -> { for (int i = off; i < off + n; i++) v[i] = v[i] > 0f ? v[i] : 0f; }
      case SQUARE -> { for (int i = off; i < off + n; i++) v[i] = v[i] * v[i]; }
      case SIGMOID -> { for (int i = off; i < off + n; i++) v[i] = (float) (1.0 / (1.0 + Math.exp(-v[i]))); }
      case SOFTMAX -> {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, v[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) {
          v[i] = (float) Math.exp(v[i] - max);
          sum += v[i];
        }
        for (int i = off; i < off + n; i++) v[i] = (float) (v[i] / sum);
      }
    }
  }

  /** Double-precision version used while training. */
  void apply(double[] v, int off, int n) {
    switch (this) {
      case IDENTITY -> { }
      case RELU -> { for (int i = off; i < off + n; i++) v[i] = v[i] > 0 ? v[i] : 0; }
      case SQUARE -> { for (int i = off; i < off + n; i++) v[i] = v[i] * v[i]; }
      case SIGMOID -> { for (int i = off; i < off + n; i++) v[i] = 1.0 / (1.0 + Math.exp(-v[i])); }
      case SOFTMAX -> {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, v[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) {
          v[i] = Math.exp(v[i] - max);
          sum += v[i];
        }
        for (int i = off; i < off + n; i++) v[i] /= sum;
      }
    }
  }

  /** Derivative df/dz given the pre-activation z and the activation a = f(z) (not for SOFTMAX). */
  double derivative(double z, double a) {
    return switch (this) {
      case IDENTITY -> 1.0;
      case RELU -> z > 0 ? 1.0 : 0.0;
      case SQUARE -> 2.0 * z;
      case SIGMOID -> a * (1.0 - a);
      case SOFTMAX -> throw new IllegalStateException("softmax derivative is folded into the cross-entropy loss");
    };
  }
}
