package dev.warden.detectors.onnx;

import dev.warden.detectors.screen.Detection;
import dev.warden.detectors.screen.Detector;
import dev.warden.detectors.screen.ScreenInput;
import java.util.Objects;

/**
 * The operator slot for any ONNX model that scores an input tensor (a MagNet autoencoder, an
 * adversarial-example classifier...): the request's first numeric tensor goes in as one FP32 row,
 * the score comes out; flag when it reaches the threshold. Stateless, so cacheable.
 */
public final class OnnxScoreDetector implements Detector {
  private final String name;
  private final OnnxScorer scorer;
  private final double defaultThreshold;
  private final boolean inline;

  /**
   * A detector over a model of unknown cost (an operator's model): it runs on the screen's worker pool
   * under its timeout.
   *
   * @param name kind name for the audit record (e.g. "autoencoder")
   * @param scorer the model
   * @param defaultThreshold flag threshold when the route sets none (e.g. a calibrated one)
   */
  public OnnxScoreDetector(String name, OnnxScorer scorer, double defaultThreshold) {
    this(name, scorer, defaultThreshold, false);
  }

  /**
   * @param inline true only for a model whose cost is known, small and fixed (its input width is fixed,
   *     so no request can make it slower), e.g. the built-in MagNet autoencoder (64 → 32 → 64, about
   *     8 µs): then it runs on the calling thread, without a timeout (see {@link Detector#inline})
   */
  public OnnxScoreDetector(String name, OnnxScorer scorer, double defaultThreshold, boolean inline) {
    this.name = Objects.requireNonNull(name, "name");
    this.scorer = Objects.requireNonNull(scorer, "scorer");
    this.defaultThreshold = defaultThreshold;
    if (inline && scorer.inputWidth() <= 0) {
      throw new IllegalArgumentException("detector '" + name + "' has no fixed input width: its cost is not bounded, it cannot run inline");
    }
    this.inline = inline;
  }

  @Override public boolean inline() { return inline; }

  @Override public String name() { return name; }

  /** Values per input row the model declares, or -1 if not fixed (for warm-up inputs). */
  public int inputWidth() { return scorer.inputWidth(); }

  @Override public double defaultThreshold() { return defaultThreshold; }

  @Override public boolean cacheable() { return true; }

  @Override public boolean accepts(ScreenInput input) { return input.hasTensors(); }

  @Override
  public Detection detect(ScreenInput input, double threshold) throws Exception {
    float s = scorer.score(input.firstNumericTensor());
    if (Float.isNaN(s)) throw new IllegalStateException("detector returned NaN");
    return Detection.scored(s, threshold, String.format(java.util.Locale.ROOT, "%s score %.4g (threshold %.4g)", name, s, threshold));
  }
}
