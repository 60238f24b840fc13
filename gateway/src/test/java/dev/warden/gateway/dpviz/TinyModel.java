package dev.warden.gateway.dpviz;

import dev.warden.detectors.train.Activation;
import dev.warden.detectors.train.DenseNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A small real model and data set for the tests: a 3-feature, 3-class softmax classifier (weights 8·I, exported
 * to ONNX by the detectors' trainer code) and rows x = e_c + jitter labelled c, with every tenth label replaced
 * by another class, so the plain accuracy is 0.9 and the model is confident.
 */
final class TinyModel {
  static final int CLASSES = 3;
  static final int ROWS = 300;

  private TinyModel() {}

  static Path writeModel(Path dir) throws IOException {
    float[] w = new float[CLASSES * CLASSES];
    for (int i = 0; i < CLASSES; i++) {
      w[i * CLASSES + i] = 8f;
    }
    DenseNetwork net = DenseNetwork.of(null, null, List.of(w), List.of(new float[CLASSES]),
        List.of(Activation.SOFTMAX), CLASSES);
    Path p = dir.resolve("tiny.onnx");
    Files.write(p, net.toOnnx("input", "probabilities"));
    return p;
  }

  /** Rows with a header line, as the breast-cancer file has. */
  static Path writeCsv(Path dir) throws IOException {
    SplittableRandom rnd = new SplittableRandom(1); // test data only
    StringBuilder b = new StringBuilder("f0,f1,f2,label\n");
    for (int i = 0; i < ROWS; i++) {
      int c = i % CLASSES;
      float[] x = new float[CLASSES];
      x[c] = 1f;
      for (int j = 0; j < CLASSES; j++) {
        x[j] += (float) (rnd.nextDouble() * 0.2 - 0.1);
      }
      int label = i % 10 == 0 ? (c + 1) % CLASSES : c;
      b.append(String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%d%n", x[0], x[1], x[2], label));
    }
    Path p = dir.resolve("tiny.csv");
    Files.writeString(p, b.toString());
    return p;
  }
}
