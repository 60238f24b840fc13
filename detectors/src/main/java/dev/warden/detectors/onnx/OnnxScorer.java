package dev.warden.detectors.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Runs an ONNX model that maps one FP32 row {@code [1, n]} to a score: output {@code outputName},
 * element {@code scoreIndex} of its first row. One {@link OrtSession} is created up front and
 * reused by every request (ONNX Runtime sessions are thread-safe for {@code run}); each session
 * uses one intra-op thread, since requests already run in parallel.
 *
 * <p>Thread-safe. Close it when the detector is replaced.
 */
public final class OnnxScorer implements AutoCloseable {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final String inputName;
  private final String outputName;
  private final int scoreIndex;
  private final int width;

  private OnnxScorer(byte[] model, String inputName, String outputName, int scoreIndex) throws OrtException {
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
    this.width = shape.length == 2 ? (int) shape[1] : -1;
  }

  /** A scorer over model bytes built in process (no gate needed: the bytes never left memory). */
  public static OnnxScorer fromBytes(byte[] model, String inputName, String outputName, int scoreIndex) throws OrtException {
    return new OnnxScorer(model, inputName, outputName, scoreIndex);
  }

  /**
   * Loads a model file after {@code gate} admits it (e.g. its signature verifies).
   *
   * @throws SecurityException if the gate refuses (the cause says why)
   */
  public static OnnxScorer load(Path model, ArtifactGate gate, String inputName, String outputName, int scoreIndex)
      throws java.io.IOException, OrtException {
    try {
      gate.admit(model);
    } catch (Exception e) {
      throw new SecurityException("detector model " + model.getFileName() + " refused: " + e.getMessage(), e);
    }
    return new OnnxScorer(Files.readAllBytes(model), inputName, outputName, scoreIndex);
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
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(row), new long[] {1, row.length});
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      Object v = r.get(outputName).orElseThrow().getValue();
      if (v instanceof float[][] m) return m[0][scoreIndex];
      if (v instanceof float[] a) return a[scoreIndex];
      throw new IllegalStateException("output '" + outputName + "' is not an FP32 [batch, k] or [batch] tensor");
    }
  }

  /** Scores of many rows, one batch call. */
  public float[] scoreBatch(float[][] rows) throws OrtException {
    if (rows.length == 0) return new float[0];
    int w = rows[0].length;
    if (width > 0 && w != width) throw new IllegalArgumentException("detector expects " + width + " values, input has " + w);
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
