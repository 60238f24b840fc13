package dev.warden.crypto.he.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Encrypted inference of the two demo models (trained by the project's shared trainer on the UCI 8x8
 * digits, standard split) against ONNX Runtime on the plaintext model.
 */
class EncryptedInferenceTest {
  static Dataset.Split split;

  @BeforeAll
  static void data() {
    split = Recipes.digitsSplit();
  }

  /** ONNX Runtime outputs for every held-out row. */
  static float[][] onnxRuntime(byte[] onnx, Dataset test) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(env, test.x());
        OrtSession.Result r = s.run(Map.of("input", in))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  static int argmax(float[] v) {
    int b = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[b]) {
        b = i;
      }
    }
    return b;
  }

  record Outcome(double plainAccuracy, double encryptedAccuracy, double maxAbsError) {}

  static Outcome run(byte[] onnx, Parameters params) throws Exception {
    Dataset test = split.test();
    float[][] ort = onnxRuntime(onnx, test);
    PlainModel pm = OnnxImporter.read(onnx);
    CompiledModel model = CompiledModel.compile(pm, params);
    SecureRandom random = new SecureRandom();
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(model, random,
        EncryptedInference.Options.defaults());
    EncryptedInference.Evaluator backend = new EncryptedInference.Evaluator(model, kh.evaluationKeys());
    int n = test.size();
    int plainOk = 0;
    int encOk = 0;
    double maxErr = 0;
    int cap = model.batchCapacity();
    for (int start = 0; start < n; start += cap) {
      int batch = Math.min(cap, n - start);
      double[][] inputs = new double[batch][];
      for (int r = 0; r < batch; r++) {
        float[] row = test.row(start + r);
        inputs[r] = new double[row.length];
        for (int i = 0; i < row.length; i++) {
          inputs[r][i] = row[i];
        }
      }
      byte[] answer = backend.evaluate(kh.encrypt(inputs));
      EncryptedInference.Answer a = kh.decrypt(answer, batch);
      for (int r = 0; r < batch; r++) {
        int label = test.label(start + r);
        float[] ref = ort[start + r];
        // the importer's double reference agrees with ONNX Runtime
        double[] plain = pm.evaluate(inputs[r]);
        for (int o = 0; o < ref.length; o++) {
          assertEquals(ref[o], plain[o], 1e-4, "plain reference vs ONNX Runtime");
          maxErr = Math.max(maxErr, Math.abs(ref[o] - a.outputs()[r][o]));
        }
        plainOk += argmax(ref) == label ? 1 : 0;
        encOk += PlainModel.argmax(a.outputs()[r]) == label ? 1 : 0;
      }
    }
    return new Outcome((double) plainOk / n, (double) encOk / n, maxErr);
  }

  @Test
  void logisticRegression_encryptedAccuracyWithinHalfAPointOfOnnxRuntime() throws Exception {
    byte[] onnx = Recipes.digitsLogisticRegression(split.train()).toOnnx("input", "probabilities");
    Outcome o = run(onnx, Parameters.CKKS_128_LOGN13_LOGQP200);
    System.out.printf("logistic regression: plain %.4f, encrypted %.4f, max |Δp| %.2e%n",
        o.plainAccuracy(), o.encryptedAccuracy(), o.maxAbsError());
    assertTrue(o.plainAccuracy() > 0.9);
    assertTrue(Math.abs(o.plainAccuracy() - o.encryptedAccuracy()) <= 0.005, o.toString());
    assertTrue(o.maxAbsError() < 1e-2, o.toString());
  }

  @Test
  void squareMlp_encryptedAccuracyWithinHalfAPointOfOnnxRuntime() throws Exception {
    byte[] onnx = Recipes.digitsSquareMlp(split.train()).toOnnx("input", "probabilities");
    Outcome o = run(onnx, Parameters.CKKS_128_LOGN14_LOGQP320);
    System.out.printf("square MLP: plain %.4f, encrypted %.4f, max |Δp| %.2e%n",
        o.plainAccuracy(), o.encryptedAccuracy(), o.maxAbsError());
    assertTrue(o.plainAccuracy() > 0.9);
    assertTrue(Math.abs(o.plainAccuracy() - o.encryptedAccuracy()) <= 0.005, o.toString());
    assertTrue(o.maxAbsError() < 1e-2, o.toString());
  }

  @Test
  void mlpTooDeepForTheParameters_isRefusedAtCompileTime() {
    byte[] onnx = Recipes.digitsSquareMlp(split.train()).toOnnx("input", "probabilities");
    PlainModel pm = OnnxImporter.read(onnx);
    assertEquals(3, pm.depth());
    assertThrows(IllegalArgumentException.class, () -> CompiledModel.compile(pm, Parameters.CKKS_128_LOGN13_LOGQP200));
  }
}
