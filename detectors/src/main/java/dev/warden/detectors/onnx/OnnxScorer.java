package dev.warden.detectors.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Runs an ONNX model that maps one FP32 row {@code [1, n]} to a score: output {@code outputName},
 * element {@code scoreIndex} of its first row. A {@link Spec} may also reshape the row (e.g. to
 * {@code [1, 1, 8, 8]}), normalise it ({@code (x - mean) / std}) and apply a softmax or sigmoid to
 * the output row before the element is taken, so an operator's classifier fits without re-export. One {@link OrtSession} is created up front and
 * reused by every request (ONNX Runtime sessions are thread-safe for {@code run}); each session
 * uses one intra-op thread, since requests already run in parallel.
 *
 * <p>Thread-safe. Close it when the detector is replaced.
 */
public final class OnnxScorer implements AutoCloseable {
  /** What is applied to the output row before the score element is taken. */
  public enum Activation { NONE, SOFTMAX, SIGMOID }

  /**
   * How the row goes in and the score comes out.
   *
   * @param inputName the model input fed with the row
   * @param shape the input shape ({@code null}: {@code [1, n]}); at most one entry may be -1 (the batch, 1)
   * @param mean subtracted from every value
   * @param std every value is divided by it (positive)
   * @param outputName the model output read
   * @param scoreIndex element of the output's first row that is the score
   * @param activation applied to the output row first
   */
  public record Spec(String inputName, long[] shape, float mean, float std, String outputName, int scoreIndex,
      Activation activation) {
    public Spec {
      Objects.requireNonNull(inputName, "inputName");
      Objects.requireNonNull(outputName, "outputName");
      Objects.requireNonNull(activation, "activation");
      if (!(std > 0) || !Float.isFinite(mean)) throw new IllegalArgumentException("std must be positive and mean finite");
      if (scoreIndex < 0) throw new IllegalArgumentException("scoreIndex must be >= 0");
      if (shape != null) {
        shape = shape.clone();
        int free = 0;
        for (long d : shape) {
          if (d == -1) free++;
          else if (d <= 0) throw new IllegalArgumentException("shape entries must be positive or -1");
        }
        if (free > 1) throw new IllegalArgumentException("at most one shape entry may be -1");
      }
    }

    /** The raw row as {@code [1, n]}, no normalisation, no activation. */
    public static Spec plain(String inputName, String outputName, int scoreIndex) {
      return new Spec(inputName, null, 0f, 1f, outputName, scoreIndex, Activation.NONE);
    }

    @Override public long[] shape() { return shape == null ? null : shape.clone(); }
  }

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final String inputName;
  private final String outputName;
  private final int scoreIndex;
  private final int width;
  private final Spec spec;

  private OnnxScorer(byte[] model, Spec spec) throws OrtException {
    this.spec = spec;
    String inputName = spec.inputName();
    String outputName = spec.outputName();
    int scoreIndex = spec.scoreIndex();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    opts.setIntraOpNumThreads(1);
    opts.setInterOpNumThreads(1);
    opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    this.session = env.createSession(model, opts);
    this.inputName = Objects.requireNonNull(inputName, "inputName");
    this.outputName = Objects.requireNonNull(outputName, "outputName");
    this.scoreIndex = scoreIndex;
    java.util.Set<String> ins = session.getInputNames();
    java.util.Set<String> outs = session.getOutputNames();
    if (!ins.contains(inputName) || !outs.contains(outputName)) {
      session.close();
      throw new IllegalArgumentException("model has no input '" + inputName + "' or no output '" + outputName
          + "'; inputs: " + ins + ", outputs: " + outs);
    }
    long[] shape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(inputName).getInfo()).getShape();
    long fixed = 1;
    if (spec.shape != null) {
      for (long d : spec.shape) fixed *= Math.max(1, d);
    }
    this.width = spec.shape != null ? (int) fixed : shape.length == 2 ? (int) shape[1] : -1;
  }

  /** A scorer over model bytes built in process (no gate needed: the bytes never left memory). */
  public static OnnxScorer fromBytes(byte[] model, String inputName, String outputName, int scoreIndex) throws OrtException {
    return new OnnxScorer(model, Spec.plain(inputName, outputName, scoreIndex));
  }

  /** A scorer over model bytes already admitted (see {@link ArtifactGate#readAdmitted}). */
  public static OnnxScorer fromBytes(byte[] model, Spec spec) throws OrtException {
    return new OnnxScorer(model, Objects.requireNonNull(spec, "spec"));
  }

  /**
   * Loads a model file after {@code gate} admits it (e.g. its signature verifies).
   *
   * @throws SecurityException if the gate refuses (the cause says why)
   */
  public static OnnxScorer load(Path model, ArtifactGate gate, String inputName, String outputName, int scoreIndex)
      throws java.io.IOException, OrtException {
    return new OnnxScorer(gate.readAdmitted(model, java.util.List.of(model)).get(0),
        Spec.plain(inputName, outputName, scoreIndex));
  }

  /** Input width the model declares, or -1 if not fixed. */
  public int inputWidth() { return width; }

  /**
   * The score of one row.
   *
   * @throws IllegalArgumentException if the row's width differs from the model's
   */
  public float score(float[] row) throws OrtException {
    if (width > 0 && row.length != width) {
      throw new IllegalArgumentException("detector expects " + width + " values, input has " + row.length);
    }
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(normalised(row)), inputShape(row.length));
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      Object v = r.get(outputName).orElseThrow().getValue();
      if (v instanceof float[][] m) return activated(m[0]);
      if (v instanceof float[] a) return activated(a);
      throw new IllegalStateException("output '" + outputName + "' is not an FP32 [batch, k] or [batch] tensor");
    }
  }

  private float[] normalised(float[] row) {
    if (spec.mean() == 0f && spec.std() == 1f) return row;
    float[] out = new float[row.length];
    for (int i = 0; i < row.length; i++) out[i] = (row[i] - spec.mean()) / spec.std();
    return out;
  }

  private long[] inputShape(int n) {
    if (spec.shape == null) return new long[] {1, n};
    long[] s = spec.shape.clone();
    for (int i = 0; i < s.length; i++) if (s[i] == -1) s[i] = 1;
    return s;
  }

  private float activated(float[] out) {
    if (scoreIndex >= out.length) {
      throw new IllegalStateException("output '" + outputName + "' has " + out.length + " values, no index " + scoreIndex);
    }
    switch (spec.activation()) {
      case SIGMOID:
        return (float) (1 / (1 + Math.exp(-out[scoreIndex])));
      case SOFTMAX:
        return Softmax.of(out, scoreIndex);
      default:
        return out[scoreIndex];
    }
  }

  /** Scores of many rows, one batch call. */
  public float[] scoreBatch(float[][] rows) throws OrtException {
    if (rows.length == 0) return new float[0];
    int w = rows[0].length;
    if (width > 0 && w != width) throw new IllegalArgumentException("detector expects " + width + " values, input has " + w);
    if (spec.shape != null || spec.activation() != Activation.NONE || spec.mean() != 0f || spec.std() != 1f) {
      float[] out = new float[rows.length];
      for (int i = 0; i < rows.length; i++) out[i] = score(rows[i]);
      return out;
    }
    FloatBuffer flat = java.nio.ByteBuffer.allocateDirect(rows.length * w * 4).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
    for (float[] r : rows) {
      if (r.length != w) throw new IllegalArgumentException("rows differ in width");
      flat.put(r);
    }
    flat.rewind();
    try (OnnxTensor t = OnnxTensor.createTensor(env, flat, new long[] {rows.length, w});
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      Object v = r.get(outputName).orElseThrow().getValue();
      float[] out = new float[rows.length];
      if (v instanceof float[][] m) {
        for (int i = 0; i < rows.length; i++) out[i] = m[i][scoreIndex];
      } else if (v instanceof float[] a) {
        System.arraycopy(a, 0, out, 0, rows.length);
      } else {
        throw new IllegalStateException("output '" + outputName + "' is not FP32");
      }
      return out;
    }
  }

  @Override
  public void close() throws OrtException { session.close(); }
}
