package dev.warden.bench.he;

import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.crypto.he.inference.OnnxImporter;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encrypted inference of one 8x8 digits image end to end (encrypt + serialise, evaluate on the backend
 * side, safe decrypt + softmax), single thread: {@code logreg_e2e} (64→10, N = 8192; issue target
 * ≤ 20 ms) and {@code mlp_e2e} (64→32 square →10, N = 16384; target ≤ 300 ms). Models trained by the
 * project's shared trainer. Run via {@code bench/he.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class InferenceBenchmark {
  @Param({"logreg", "mlp"})
  public String model;

  EncryptedInference.KeyHolder keyHolder;
  EncryptedInference.Evaluator backend;
  double[][] image;
  /** The N of the parameter set used (reported by he.sh). */
  public int n;

  @Setup
  public void setUp() {
    Dataset.Split split = Recipes.digitsSplit();
    boolean lr = model.equals("logreg");
    byte[] onnx = (lr ? Recipes.digitsLogisticRegression(split.train()) : Recipes.digitsSquareMlp(split.train()))
        .toOnnx("input", "probabilities");
    Parameters p = lr ? Parameters.CKKS_128_LOGN13_LOGQP200 : Parameters.CKKS_128_LOGN14_LOGQP320;
    n = p.n();
    CompiledModel cm = CompiledModel.compile(OnnxImporter.read(onnx), p);
    keyHolder = EncryptedInference.KeyHolder.create(cm, new SecureRandom(), EncryptedInference.Options.defaults());
    backend = new EncryptedInference.Evaluator(cm, keyHolder.evaluationKeys());
    float[] row = split.test().row(0);
    image = new double[1][row.length];
    for (int i = 0; i < row.length; i++) {
      image[0][i] = row[i];
    }
  }

  @Benchmark
  public double[] e2e() {
    byte[] answer = backend.evaluate(keyHolder.encrypt(image));
    return keyHolder.decrypt(answer, 1).outputs()[0];
  }
}
