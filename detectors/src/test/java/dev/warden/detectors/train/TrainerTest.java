package dev.warden.detectors.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainerTest {
  static Dataset.Split digits;

  @BeforeAll
  static void load() {
    digits = Recipes.digitsSplit();
  }

  @Test
  void digitsMlp_learns_andOnnxRuntimeMatchesJavaForward() throws Exception {
    DenseNetwork net = Recipes.digitsMlp(digits.train());
    assertTrue(net.accuracy(digits.test()) > 0.94, "held-out accuracy " + net.accuracy(digits.test()));
    byte[] onnx = net.toOnnx("input", "probabilities");
    float[][] x = Arrays.copyOf(digits.test().x(), 7); // batch of 7: dynamic batch dimension
    float[][] ort = OnnxTestSupport.run(onnx, "input", "probabilities", x);
    assertEquals(7, ort.length);
    for (int i = 0; i < x.length; i++) {
      float[] java = net.forward(x[i]);
      assertEquals(10, ort[i].length);
      double sum = 0;
      for (int k = 0; k < 10; k++) {
        assertEquals(java[k], ort[i][k], 1e-5, "row " + i + " class " + k);
        sum += ort[i][k];
      }
      assertEquals(1.0, sum, 1e-5);
    }
    float[][] one = OnnxTestSupport.run(onnx, "input", "probabilities", new float[][] {x[0]});
    assertEquals(1, one.length);
  }

  @Test
  void exportedModel_declaresNamedInputWithDynamicBatch() throws Exception {
    DenseNetwork net = Recipes.digitsLogisticRegression(digits.train());
    byte[] onnx = net.toOnnx("pixels", "scores");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions())) {
      NodeInfo in = s.getInputInfo().get("pixels");
      assertNotNull(in, "input name is configurable");
      long[] shape = ((TensorInfo) in.getInfo()).getShape();
      assertArrayEquals(new long[] {-1, 64}, shape);
      assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, ((TensorInfo) in.getInfo()).type);
      long[] outShape = ((TensorInfo) s.getOutputInfo().get("scores").getInfo()).getShape();
      assertArrayEquals(new long[] {-1, 10}, outShape);
    }
  }

  @Test
  void logisticRegression_andSquareMlp_forHe_learnAndExport() throws Exception {
    DenseNetwork lr = Recipes.digitsLogisticRegression(digits.train());
    DenseNetwork sq = Recipes.digitsSquareMlp(digits.train());
    assertTrue(lr.accuracy(digits.test()) > 0.9, "lr accuracy " + lr.accuracy(digits.test()));
    assertTrue(sq.accuracy(digits.test()) > 0.9, "square accuracy " + sq.accuracy(digits.test()));
    assertEquals(Activation.SQUARE, sq.activation(0));
    // Folded and logit forms compute the same decision with plain dense layers only.
    DenseNetwork heForm = sq.withStandardisationFolded().withoutFinalActivation();
    assertFalse(heForm.hasStandardisation());
    float[][] x = Arrays.copyOf(digits.test().x(), 20);
    for (float[] row : x) assertEquals(sq.predict(row), heForm.predict(row));
    float[][] ort = OnnxTestSupport.run(heForm.toOnnx("input", "logits"), "input", "logits", x);
    for (int i = 0; i < x.length; i++) {
      float[] j = heForm.forward(x[i]);
      for (int k = 0; k < 10; k++) assertEquals(j[k], ort[i][k], 1e-4 * Math.max(1, Math.abs(j[k])));
    }
  }

  @Test
  void breastCancer_standardisedLogisticRegression_runsInOnnxRuntime() throws Exception {
    Dataset.Split bc = Recipes.breastCancerSplit();
    DenseNetwork lr = Recipes.breastCancerLogisticRegression(bc.train());
    assertTrue(lr.hasStandardisation());
    assertTrue(lr.accuracy(bc.test()) > 0.93, "accuracy " + lr.accuracy(bc.test()));
    float[][] x = bc.test().x();
    float[][] ort = OnnxTestSupport.run(lr.toOnnx("input", "probabilities"), "input", "probabilities", x);
    for (int i = 0; i < x.length; i++) {
      float[] j = lr.forward(x[i]);
      assertEquals(j[1], ort[i][1], 1e-5);
    }
  }

  @Test
  void sameSeed_sameWeights_otherSeed_otherWeights() {
    Trainer.Builder b = Trainer.builder().dense(8, Activation.SIGMOID).dense(10, Activation.SOFTMAX).epochs(2);
    DenseNetwork a = b.seed(3).build().fitClassifier(digits.train());
    DenseNetwork a2 = b.seed(3).build().fitClassifier(digits.train());
    DenseNetwork c = b.seed(4).build().fitClassifier(digits.train());
    assertArrayEquals(a.weights(0), a2.weights(0));
    assertFalse(Arrays.equals(a.weights(0), c.weights(0)));
  }

  @Test
  void mseAutoencoder_withSgd_reducesReconstructionError() throws Exception {
    float[][] s = Recipes.digitsUnitScaling();
    float[][] x = digits.train().x();
    float[][] target = new float[x.length][64];
    for (int i = 0; i < x.length; i++) for (int k = 0; k < 64; k++) target[i][k] = x[i][k] / 16f;
    Trainer.Builder b = Trainer.builder().dense(16, Activation.RELU).dense(64, Activation.SIGMOID)
        .loss(Loss.MSE).inputScaling(s[0], s[1]).seed(1);
    DenseNetwork shortRun = b.epochs(1).build().fit(x, target);
    DenseNetwork longRun = b.epochs(15).build().fit(x, target);
    assertTrue(mse(longRun, x, target) < 0.7 * mse(shortRun, x, target));
    DenseNetwork sgd = b.optimizer(Optimizer.SGD).learningRate(0.5).epochs(3).build().fit(x, target);
    assertTrue(Double.isFinite(mse(sgd, x, target)));
    float[][] ort = OnnxTestSupport.run(longRun.toOnnx("input", "reconstruction"), "input", "reconstruction",
        Arrays.copyOf(x, 3));
    assertEquals(longRun.forward(x[2])[5], ort[2][5], 1e-5);
  }

  @Test
  void invalidConfigurations_areRefused() {
    assertThrows(IllegalStateException.class, () -> Trainer.builder().dense(10, Activation.RELU).build());
    assertThrows(IllegalStateException.class,
        () -> Trainer.builder().dense(10, Activation.SOFTMAX).loss(Loss.MSE).build());
    assertThrows(IllegalStateException.class,
        () -> Trainer.builder().dense(4, Activation.SOFTMAX).dense(10, Activation.SOFTMAX).build());
    assertThrows(IllegalArgumentException.class, () -> Trainer.builder().learningRate(-1));
    Trainer t = Trainer.builder().dense(3, Activation.SOFTMAX).build();
    assertThrows(IllegalArgumentException.class, () -> t.fit(new float[][] {{1f}}, new float[][] {{1f, 0f}}));
  }

  private static double mse(DenseNetwork n, float[][] x, float[][] t) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      float[] r = n.forward(x[i]);
      for (int k = 0; k < r.length; k++) s += (r[k] - t[i][k]) * (r[k] - t[i][k]);
    }
    return s / (x.length * (double) t[0].length);
  }
}
