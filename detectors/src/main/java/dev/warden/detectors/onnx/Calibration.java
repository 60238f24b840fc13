package dev.warden.detectors.onnx;

import java.util.Arrays;

/** Threshold calibration on clean (benign) scores. */
public final class Calibration {
  private Calibration() {}

  /**
   * The smallest threshold {@code t} such that at most {@code floor(targetFpr * n)} of the clean
   * scores satisfy {@code score >= t}: flagging at {@code t} has an empirical false-positive rate
   * of at most {@code targetFpr} on these scores.
   *
   * @throws IllegalArgumentException if there are no scores or {@code targetFpr} is not in [0, 1)
   */
  public static double thresholdAtFpr(float[] cleanScores, double targetFpr) {
    if (cleanScores.length == 0) throw new IllegalArgumentException("no clean scores to calibrate on");
    if (!(targetFpr >= 0 && targetFpr < 1)) throw new IllegalArgumentException("targetFpr must be in [0, 1), got " + targetFpr);
    float[] s = cleanScores.clone();
    Arrays.sort(s);
    int n = s.length;
    int allowed = (int) Math.floor(targetFpr * n);
    return Math.nextUp(s[n - 1 - allowed]);
  }

  /** Share of {@code scores} at or above {@code threshold}. */
  public static double rateAtOrAbove(float[] scores, double threshold) {
    int k = 0;
    for (float v : scores) if (v >= threshold) k++;
    return (double) k / scores.length;
  }
}
