package dev.warden.detectors.onnx;

import dev.warden.detectors.train.Activation;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Loss;
import dev.warden.detectors.train.OnnxModels;
import dev.warden.detectors.train.Trainer;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A MagNet-style detector (Meng and Chen, "MagNet: a Two-Pronged Defense against Adversarial
 * Examples", CCS 2017): an autoencoder trained on clean data reconstructs clean inputs well and
 * perturbed, off-manifold inputs badly, so the reconstruction error is a score.
 *
 * <p>The exported ONNX graph computes the score itself: input {@code "input"} FP32
 * {@code [batch, n]} (raw values), output {@code "score"} FP32 {@code [batch, 1]} =
 * {@code mean((AE(x) - x * scale)^2)} over the row, where {@code scale} maps inputs into 0..1. So
 * the detector is just an {@link OnnxScoreDetector} over this model, and an operator can swap in
 * any other ONNX scorer.
 *
 * <p>Training is deterministic (the shared {@link Trainer}, fixed seed). Costs: n → 32 (relu) →
 * n (sigmoid); inference is two small Gemms.
 */
public final class MagNetAutoencoder {
  /** Input name of the exported graph. */
  public static final String INPUT = "input";
  /** Output name of the exported graph. */
  public static final String OUTPUT = "score";
  /** Hidden units: half of the 64 digit pixels, enough to reconstruct digits, too few for noise. */
  public static final int HIDDEN = 32;
  /** Training seed (reproducible model bytes). */
  public static final long SEED = 11;

  private final DenseNetwork network;
  private final float scale;

  private MagNetAutoencoder(DenseNetwork network, float scale) {
    this.network = network;
    this.scale = scale;
  }

  /**
   * Trains on the rows of {@code train} (labels unused) whose values lie in {@code 0..maxValue}.
   */
  public static MagNetAutoencoder train(Dataset train, float maxValue, int epochs) {
    int n = train.features();
    float scale = 1f / maxValue;
    float[] shift = new float[n];
    float[] sc = new float[n];
    java.util.Arrays.fill(sc, scale);
    float[][] x = train.x();
    float[][] target = new float[x.length][n];
    for (int i = 0; i < x.length; i++) for (int k = 0; k < n; k++) target[i][k] = x[i][k] * scale;
    DenseNetwork net = Trainer.builder()
        .dense(HIDDEN, Activation.RELU)
        .dense(n, Activation.SIGMOID)
        .loss(Loss.MSE)
        .inputScaling(shift, sc)
        .learningRate(0.005).epochs(epochs).batchSize(32).l2(1e-5).seed(SEED)
        .build()
        .fit(x, target);
    return new MagNetAutoencoder(net, scale);
  }

  /** The reconstruction network (input raw values, output scaled 0..1). */
  public DenseNetwork network() { return network; }

  /** The score computed in Java (equal to the ONNX graph's to float rounding). */
  public float score(float[] x) {
    float[] r = network.forward(x);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      float d = r[i] - x[i] * scale;
      s += d * d;
    }
    return (float) (s / x.length);
  }

  /** The ONNX scorer model: {@value #INPUT} [batch, n] → {@value #OUTPUT} [batch, 1]. */
  public byte[] toOnnx() {
    return toOnnx(1.0);
  }

  /**
   * The ONNX scorer with its calibrated threshold folded in: {@value #OUTPUT} is the reconstruction
   * error divided by {@code threshold}, so the model flags at 1.0 and one signed file carries both
   * the network and its calibration (a route then sets {@code threshold: 1}).
   */
  public byte[] toOnnx(double threshold) {
    if (!(threshold > 0)) throw new IllegalArgumentException("threshold must be positive");
    int n = network.inputSize();
    ONNXContext ctx = new ONNXContext();
    ctx.setName("warden-magnet-autoencoder");
    ONNXPlaceholder input = ctx.floatInput(INPUT, n);
    ONNXPlaceholder output = ctx.floatOutput(OUTPUT, 1);
    ONNXRef<?> recon = network.appendTo(ctx, input, "ae");
    float[] sc = new float[n];
    java.util.Arrays.fill(sc, scale);
    ONNXInitializer scaleInit = ctx.floatTensor("score_scale", List.of(1, n), fb -> fb.put(sc));
    ONNXRef<?> target = input.apply(ONNXOperators.MUL, scaleInit, "score_target");
    ONNXRef<?> diff = recon.apply(ONNXOperators.SUB, target, "score_diff");
    ONNXRef<?> sq = diff.apply(ONNXOperators.MUL, diff, "score_sq");
    ONNXRef<?> mean = ctx.operation(ONNXOperators.REDUCE_MEAN, List.of(sq), "score_mean",
        Map.of("axes", new int[] {1}, "keepdims", 1));
    if (threshold != 1.0) {
      ONNXInitializer t = ctx.floatTensor("score_threshold", List.of(1), fb -> fb.put((float) threshold));
      mean = mean.apply(ONNXOperators.DIV, t, "score_relative");
    }
    mean.assignTo(output);
    return OnnxModels.serialize(ctx, "MagNet-style autoencoder reconstruction-error scorer");
  }
}
