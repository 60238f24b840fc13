package dev.warden.detectors.onnx;

import static org.junit.jupiter.api.Assertions.*;

import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.screen.Detection;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.Recipes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MagNetAutoencoderTest {
  static final double TARGET_FPR = 0.05;
  static Dataset.Split split;
  static MagNetAutoencoder ae;
  static byte[] onnx;
  static OnnxScorer scorer;
  static Dataset calibration;
  static Dataset evaluation;
  static double threshold;

  @BeforeAll
  static void trainAndCalibrate() throws Exception {
    split = Recipes.digitsSplit();
    ae = MagNetAutoencoder.train(split.train(), Datasets.DIGITS_MAX_PIXEL, 25);
    onnx = ae.toOnnx();
    scorer = OnnxScorer.fromBytes(onnx, MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
    // held-out data in two halves: calibrate on one, measure on the other
    Dataset.Split held = split.test().stratifiedSplit(0.5, 3);
    calibration = held.train();
    evaluation = held.test();
    threshold = Calibration.thresholdAtFpr(scorer.scoreBatch(calibration.x()), TARGET_FPR);
  }

  @AfterAll
  static void close() throws Exception { scorer.close(); }

  @Test
  void onnxRuntimeScore_matchesJavaScore() throws Exception {
    float[][] x = evaluation.x();
    float[] batch = scorer.scoreBatch(x);
    for (int i = 0; i < 20; i++) {
      float j = ae.score(x[i]);
      assertEquals(j, scorer.score(x[i]), 1e-5 + 1e-4 * j);
      assertEquals(j, batch[i], 1e-5 + 1e-4 * j);
    }
    assertEquals(64, scorer.inputWidth());
  }

  @Test
  void cleanHeldOut_passesAtTheCalibratedRate() throws Exception {
    double calRate = Calibration.rateAtOrAbove(scorer.scoreBatch(calibration.x()), threshold);
    assertTrue(calRate <= TARGET_FPR, "calibration FPR " + calRate);
    double evalRate = Calibration.rateAtOrAbove(scorer.scoreBatch(evaluation.x()), threshold);
    assertTrue(evalRate <= 2 * TARGET_FPR, "held-out FPR " + evalRate + " at threshold " + threshold);
  }

  @Test
  void heavilyPerturbedInputs_areFlagged() throws Exception {
    SplittableRandom r = new SplittableRandom(9);
    float[][] x = evaluation.x();
    int flagged = 0;
    int noise = 0;
    for (float[] row : x) {
      float[] p = row.clone();
      for (int k = 0; k < p.length; k++) p[k] = Math.max(0, Math.min(16, p[k] + (float) (r.nextDouble(-8, 8))));
      if (scorer.score(p) >= threshold) flagged++;
      float[] u = new float[64];
      for (int k = 0; k < 64; k++) u[k] = (float) r.nextDouble(0, 16);
      if (scorer.score(u) >= threshold) noise++;
    }
    assertTrue(flagged >= 0.9 * x.length, "perturbed flagged " + flagged + "/" + x.length);
    assertEquals(x.length, noise, "uniform noise images flagged");
  }

  @Test
  void detector_slot_scoresRequests() throws Exception {
    OnnxScoreDetector d = new OnnxScoreDetector("autoencoder", scorer, threshold);
    float[] clean = evaluation.row(0);
    ScreenInput in = ScreenInput.ofTensors("t", "r", "digits", List.of(Tensor.ofFloats("input", new long[] {1, 64}, clean)));
    Detection det = d.detect(in, d.defaultThreshold());
    assertEquals(ae.score(clean), det.score(), 1e-4);
    float[] wrong = new float[10];
    ScreenInput bad = ScreenInput.ofTensors("t", "r", "digits", List.of(Tensor.ofFloats("input", new long[] {1, 10}, wrong)));
    assertThrows(IllegalArgumentException.class, () -> d.detect(bad, 0.5));
  }

  @Test
  void modelFile_isLoadedOnlyWhenTheGateAdmitsIt(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("autoencoder.onnx");
    Files.write(f, onnx);
    SecurityException e = assertThrows(SecurityException.class, () -> OnnxScorer.load(f, p -> {
      throw new IllegalStateException("signature does not verify");
    }, "input", "score", 0));
    assertTrue(e.getMessage().contains("signature does not verify"));
    try (OnnxScorer s = OnnxScorer.load(f, ArtifactGate.NONE, "input", "score", 0)) {
      assertEquals(scorer.score(evaluation.row(1)), s.score(evaluation.row(1)));
    }
    assertThrows(IllegalArgumentException.class, () -> OnnxScorer.load(f, ArtifactGate.NONE, "pixels", "score", 0));
  }

  @Test
  void calibration_boundsTheEmpiricalRate() {
    float[] s = new float[100];
    for (int i = 0; i < 100; i++) s[i] = i;
    double t = Calibration.thresholdAtFpr(s, 0.05);
    assertEquals(0.05, Calibration.rateAtOrAbove(s, t));
    assertEquals(0.0, Calibration.rateAtOrAbove(s, Calibration.thresholdAtFpr(s, 0.0)));
    assertThrows(IllegalArgumentException.class, () -> Calibration.thresholdAtFpr(new float[0], 0.1));
  }
}
