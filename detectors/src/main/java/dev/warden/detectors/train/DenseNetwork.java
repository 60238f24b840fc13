package dev.warden.detectors.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A trained, immutable fully connected network: an optional input standardisation
 * {@code (x - shift) * scale} followed by dense layers {@code a = f(W a + b)}.
 *
 * <p>{@link #forward(float[])} computes in float exactly the operations that {@link #toOnnx}
 * writes into the ONNX graph (Sub, Mul, Gemm, activation), so the two agree to float rounding.
 * Thread-safe (immutable).
 */
public final class DenseNetwork {
  private final float[] shift;   // null when there is no standardisation
  private final float[] scale;   // null when there is no standardisation
  private final float[][] weights; // per layer, row-major [out][in]
  private final float[][] biases;
  private final Activation[] activations;
  private final int[] sizes;     // sizes[0] = input, sizes[l+1] = output of layer l

  DenseNetwork(float[] shift, float[] scale, float[][] weights, float[][] biases, Activation[] activations, int[] sizes) {
    this.shift = shift;
    this.scale = scale;
    this.weights = weights;
    this.biases = biases;
    this.activations = activations;
    this.sizes = sizes;
  }

  /**
   * Builds a network from explicit parameters (copied).
   *
   * @param shift per-input value subtracted first, or null for none (then {@code scale} must be null)
   * @param scale per-input factor applied after the shift, or null
   * @param weights per layer a row-major {@code out x in} matrix
   * @param biases per layer {@code out} values
   * @param activations per layer; SOFTMAX only last
   */
  public static DenseNetwork of(float[] shift, float[] scale, List<float[]> weights, List<float[]> biases,
      List<Activation> activations, int inputSize) {
    int n = weights.size();
    if (n == 0 || biases.size() != n || activations.size() != n) {
      throw new IllegalArgumentException("need the same, non-zero number of weights, biases and activations");
    }
    if ((shift == null) != (scale == null)) throw new IllegalArgumentException("shift and scale go together");
    if (shift != null && (shift.length != inputSize || scale.length != inputSize)) {
      throw new IllegalArgumentException("shift/scale must have inputSize=" + inputSize + " values");
    }
    int[] sizes = new int[n + 1];
    sizes[0] = inputSize;
    float[][] w = new float[n][];
    float[][] b = new float[n][];
    Activation[] a = new Activation[n];
    for (int l = 0; l < n; l++) {
      int out = biases.get(l).length;
      if (weights.get(l).length != out * sizes[l]) {
        throw new IllegalArgumentException("layer " + l + ": weights have " + weights.get(l).length
            + " values, expected " + out + " x " + sizes[l]);
      }
      a[l] = Objects.requireNonNull(activations.get(l), "activation");
      if (a[l] == Activation.SOFTMAX && l != n - 1) throw new IllegalArgumentException("SOFTMAX only on the last layer");
      sizes[l + 1] = out;
      w[l] = weights.get(l).clone();
      b[l] = biases.get(l).clone();
    }
    return new DenseNetwork(shift == null ? null : shift.clone(), scale == null ? null : scale.clone(), w, b, a, sizes);
  }

  /** Width of the input. */
  public int inputSize() { return sizes[0]; }

  /** Width of the output. */
  public int outputSize() { return sizes[sizes.length - 1]; }

  /** Number of dense layers. */
  public int layerCount() { return weights.length; }

  /** Output width of layer {@code l}. */
  public int layerSize(int l) { return sizes[l + 1]; }

  /** A copy of layer {@code l}'s weights, row-major {@code [out][in]}: element (o, i) at {@code o * in + i}. */
  public float[] weights(int l) { return weights[l].clone(); }

  /** A copy of layer {@code l}'s bias. */
  public float[] bias(int l) { return biases[l].clone(); }

  /** Layer {@code l}'s activation. */
  public Activation activation(int l) { return activations[l]; }

  /** Whether an input standardisation precedes the first layer. */
  public boolean hasStandardisation() { return shift != null; }

  /** Copy of the standardisation shift (mean), or null. */
  public float[] standardisationShift() { return shift == null ? null : shift.clone(); }

  /** Copy of the standardisation scale (1 / std), or null. */
  public float[] standardisationScale() { return scale == null ? null : scale.clone(); }

  /**
   * The same function with the standardisation folded into the first layer
   * ({@code W' = W diag(scale)}, {@code b' = b - W' shift}): a plain stack of dense layers, which is
   * what homomorphic inference wants. Equal up to float rounding.
   */
  public DenseNetwork withStandardisationFolded() {
    if (shift == null) return this;
    int in = sizes[0];
    int out = sizes[1];
    float[][] w = weights.clone();
    float[][] b = biases.clone();
    float[] w0 = new float[out * in];
    float[] b0 = new float[out];
    for (int o = 0; o < out; o++) {
      double acc = biases[0][o];
      for (int i = 0; i < in; i++) {
        double wi = (double) weights[0][o * in + i] * scale[i];
        w0[o * in + i] = (float) wi;
        acc -= wi * shift[i];
      }
      b0[o] = (float) acc;
    }
    w[0] = w0;
    b[0] = b0;
    return new DenseNetwork(null, null, w, b, activations.clone(), sizes.clone());
  }

  /** The same network with its last activation replaced by IDENTITY (logits instead of probabilities). */
  public DenseNetwork withoutFinalActivation() {
    Activation[] a = activations.clone();
    a[a.length - 1] = Activation.IDENTITY;
    return new DenseNetwork(shift, scale, weights, biases, a, sizes);
  }

  /** Forward pass of one row. */
  public float[] forward(float[] x) {
    if (x.length != sizes[0]) {
      throw new IllegalArgumentException("input has " + x.length + " values, network expects " + sizes[0]);
    }
    float[] a = x.clone();
    if (shift != null) {
      for (int i = 0; i < a.length; i++) a[i] = (a[i] - shift[i]) * scale[i];
    }
    for (int l = 0; l < weights.length; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      float[] w = weights[l];
      float[] z = new float[out];
      for (int o = 0; o < out; o++) {
        float acc = 0f;
        int base = o * in;
        for (int i = 0; i < in; i++) acc += w[base + i] * a[i];
        z[o] = acc + biases[l][o];
      }
      activations[l].apply(z, 0, out);
      a = z;
    }
    return a;
  }

  /** Forward pass of many rows. */
  public float[][] forward(float[][] xs) {
    float[][] out = new float[xs.length][];
    for (int i = 0; i < xs.length; i++) out[i] = forward(xs[i]);
    return out;
  }

  /** Index of the largest output. */
  public int predict(float[] x) {
    float[] p = forward(x);
    int best = 0;
    for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return best;
  }

  /** Share of rows of {@code d} whose {@link #predict} equals the label. */
  public double accuracy(Dataset d) {
    int ok = 0;
    for (int i = 0; i < d.size(); i++) if (predict(d.row(i)) == d.label(i)) ok++;
    return (double) ok / d.size();
  }

  /**
   * Exports to an ONNX model (opset {@value OnnxModels#OPSET}): input {@code inputName} FP32
   * {@code [batch, inputSize]}, output {@code outputName} FP32 {@code [batch, outputSize]}, batch
   * dimension dynamic.
   */
  public byte[] toOnnx(String inputName, String outputName) {
    ONNXContext ctx = new ONNXContext();
    ctx.setName("warden-dense");
    ONNXPlaceholder input = ctx.floatInput(inputName, inputSize());
    ONNXPlaceholder output = ctx.floatOutput(outputName, outputSize());
    ONNXRef<?> y = appendTo(ctx, input, "net");
    y.assignTo(output);
    return OnnxModels.serialize(ctx, "warden dense network");
  }

  /**
   * Appends this network's nodes to an ONNX graph under construction, reading {@code input}
   * ({@code [batch, inputSize]}), and returns the reference of its output. Initialiser and node
   * names start with {@code prefix}. Used to compose larger graphs (e.g. an autoencoder score).
   */
  public ONNXRef<?> appendTo(ONNXContext ctx, ONNXRef<?> input, String prefix) {
    ONNXRef<?> a = input;
    if (shift != null) {
      ONNXInitializer s = ctx.floatTensor(prefix + "_shift", List.of(1, sizes[0]), fb -> fb.put(shift));
      ONNXInitializer m = ctx.floatTensor(prefix + "_scale", List.of(1, sizes[0]), fb -> fb.put(scale));
      a = a.apply(ONNXOperators.SUB, s, prefix + "_centred");
      a = a.apply(ONNXOperators.MUL, m, prefix + "_standardised");
    }
    for (int l = 0; l < weights.length; l++) {
      final float[] w = weights[l];
      final float[] b = biases[l];
      ONNXInitializer wi = ctx.floatTensor(prefix + "_W" + l, List.of(sizes[l + 1], sizes[l]), fb -> fb.put(w));
      ONNXInitializer bi = ctx.floatTensor(prefix + "_b" + l, List.of(sizes[l + 1]), fb -> fb.put(b));
      List<ONNXRef<?>> args = new ArrayList<>(List.of(a, wi, bi));
      a = ctx.operation(ONNXOperators.GEMM, args, prefix + "_z" + l, Map.of("transB", 1));
      String name = prefix + "_a" + l;
      a = switch (activations[l]) {
        case IDENTITY -> a;
        case RELU -> a.apply(OnnxModels.ExtraOps.RELU, name);
        case SQUARE -> a.apply(ONNXOperators.MUL, a, name);
        case SIGMOID -> a.apply(ONNXOperators.SIGMOID, name);
        case SOFTMAX -> ctx.operation(ONNXOperators.SOFTMAX, List.of(a), name, Map.of("axis", 1));
      };
    }
    return a;
  }

  @Override
  public String toString() {
    return "DenseNetwork" + Arrays.toString(sizes) + Arrays.toString(activations)
        + (shift != null ? " standardised" : "");
  }
}
