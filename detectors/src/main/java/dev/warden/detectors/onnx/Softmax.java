package dev.warden.detectors.onnx;

/** Numerically stable softmax probability of one class (shared by the ONNX scorers). */
public final class Softmax {
  private Softmax() {}

  /** {@code exp(logits[k]) / sum exp(logits)}, computed after subtracting the maximum. */
  public static float of(float[] logits, int k) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) max = Math.max(max, v);
    double sum = 0;
    for (float v : logits) sum += Math.exp(v - max);
    return (float) (Math.exp(logits[k] - max) / sum);
  }
}
