package dev.warden.gateway.dpviz;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Plain (noise-free) outputs of an ONNX model with one float input {@code [batch, features]}. */
public final class ModelOutputs {
  /** Rows per ONNX Runtime call: large enough to amortise the call, small enough for any held-out set. */
  private static final int BATCH = 256;

  private ModelOutputs() {}

  /**
   * Runs the model on every row.
   *
   * @param outputName the output to read, or null for the model's first output
   * @return one output row per input row (a scalar output becomes a row of width 1)
   * @throws IllegalArgumentException if the model cannot be loaded or its input/output do not fit the data
   */
  public static double[][] evaluate(Path model, float[][] x, String outputName) {
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException("no such model file: " + model);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), opts)) {
        if (session.getNumInputs() != 1) {
          throw new IllegalArgumentException("model must have exactly one input, has " + session.getNumInputs());
        }
        Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
        String out = outputName != null ? outputName : session.getOutputNames().iterator().next();
        if (!session.getOutputNames().contains(out)) {
          throw new IllegalArgumentException("model has no output '" + out + "'; outputs: "
              + session.getOutputNames());
        }
        long[] shape = ((TensorInfo) in.getValue().getInfo()).getShape();
        int features = x[0].length;
        if (shape.length != 2 || (shape[1] > 0 && shape[1] != features)) {
          throw new IllegalArgumentException("model input '" + in.getKey() + "' has shape "
              + java.util.Arrays.toString(shape) + " but the data has " + features + " features per row");
        }
        int batch = shape[0] > 0 ? (int) shape[0] : BATCH;
        double[][] result = new double[x.length][];
        for (int start = 0; start < x.length; start += batch) {
          int n = Math.min(batch, x.length - start);
          if (shape[0] > 0 && n != shape[0]) {
            throw new IllegalArgumentException("model input has a fixed batch of " + shape[0] + " rows");
          }
          FloatBuffer fb = FloatBuffer.allocate(n * features);
          for (int i = 0; i < n; i++) {
            fb.put(x[start + i]);
          }
          fb.flip();
          try (OnnxTensor t = OnnxTensor.createTensor(env, fb, new long[] {n, features});
              OrtSession.Result r = session.run(Map.of(in.getKey(), t), java.util.Set.of(out))) {
            Object v = r.get(0).getValue();
            copyRows(v, result, start, n, out);
          }
        }
        return result;
      }
    } catch (OrtException e) {
      throw new IllegalArgumentException("ONNX Runtime cannot run " + model + ": " + e.getMessage(), e);
    }
  }

  private static void copyRows(Object v, double[][] result, int start, int n, String out) {
    if (v instanceof float[][] f) {
      for (int i = 0; i < n; i++) {
        result[start + i] = toDouble(f[i]);
      }
    } else if (v instanceof double[][] d) {
      for (int i = 0; i < n; i++) {
        result[start + i] = d[i].clone();
      }
    } else if (v instanceof float[] f && f.length == n) {
      for (int i = 0; i < n; i++) {
        result[start + i] = new double[] {f[i]};
      }
    } else if (v instanceof double[] d && d.length == n) {
      for (int i = 0; i < n; i++) {
        result[start + i] = new double[] {d[i]};
      }
    } else {
      throw new IllegalArgumentException("output '" + out + "' is not a float/double tensor [batch, k] (got "
          + v.getClass().getSimpleName() + ")");
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
