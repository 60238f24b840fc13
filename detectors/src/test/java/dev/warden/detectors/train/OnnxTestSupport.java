package dev.warden.detectors.train;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;

/** Runs ONNX model bytes with the real ONNX Runtime. */
final class OnnxTestSupport {
  private OnnxTestSupport() {}

  static float[][] run(byte[] model, String input, String output, float[][] x) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(env, x);
        OrtSession.Result r = s.run(Map.of(input, t))) {
      return (float[][]) r.get(output).orElseThrow().getValue();
    }
  }
}
