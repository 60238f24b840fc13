package dev.warden.bench.heroute;

import com.sun.management.ThreadMXBean;
import dev.warden.crypto.he.ckks.Encoder;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.crypto.he.inference.OnnxImporter;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import dev.warden.crypto.he.rlwe.Serialization;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-phase breakdown of one digits logistic-regression HE request (N = 8192), in one thread, without
 * HTTP: what the gateway does before the call (encode, encrypt, serialise), what the backend does
 * (deserialise, evaluate, serialise) and what the gateway does after (deserialise + safe decrypt +
 * softmax). Per phase: median wall and thread-CPU time and the bytes allocated (the allocation rate is what
 * G1 pays for). Prints JSON lines {@code {"phase":…,"ms":…,"cpu_ms":…,"alloc_kib":…}}.
 *
 * <p>Run: {@code java -cp bench/target-he-route-bench/benchmarks.jar dev.warden.bench.heroute.HeLrBreakdown [reps] [phase substring]}.
 */
public final class HeLrBreakdown {
  private static final ThreadMXBean MX = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final long WARMUP_NANOS = 3_000_000_000L;

  private HeLrBreakdown() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Dataset.Split split = Recipes.digitsSplit();
    byte[] onnx = Recipes.digitsLogisticRegression(split.train()).toOnnx("input", "probabilities");
    Parameters p = Parameters.CKKS_128_LOGN13_LOGQP200;
    CompiledModel cm = CompiledModel.compile(OnnxImporter.read(onnx), p);
    SecureRandom random = new SecureRandom();
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(cm, random,
        EncryptedInference.Options.defaults());
    EncryptedInference.Evaluator be = new EncryptedInference.Evaluator(cm, kh.evaluationKeys());
    float[] row = split.test().row(0);
    double[][] image = new double[1][row.length];
    for (int i = 0; i < row.length; i++) {
      image[0][i] = row[i];
    }
    Encoder encoder = new Encoder(p);
    Plaintext pt = cm.encodeInputs(encoder, image);
    Ciphertext query = kh.encryptCiphertext(image);
    byte[] queryBytes = Serialization.write(query, p);
    Ciphertext answer = be.evaluate(Serialization.readCiphertext(queryBytes, p));
    byte[] answerBytes = Serialization.write(answer, p);

    Map<String, Supplier<Object>> phases = new LinkedHashMap<>();
    phases.put("gateway encode", () -> cm.encodeInputs(encoder, image));
    phases.put("gateway encode+encrypt", () -> kh.encryptCiphertext(image));
    phases.put("gateway serialise query", () -> Serialization.write(query, p));
    phases.put("backend deserialise query", () -> Serialization.readCiphertext(queryBytes, p));
    phases.put("backend evaluate", () -> be.evaluate(Serialization.readCiphertext(queryBytes, p)));
    phases.put("backend serialise answer", () -> Serialization.write(answer, p));
    phases.put("backend whole (bytes in, bytes out)", () -> be.evaluate(queryBytes));
    phases.put("gateway deserialise answer", () -> Serialization.readCiphertext(answerBytes, p));
    phases.put("gateway safe decrypt (+ deserialise)", () -> kh.decrypt(answerBytes, 1));
    phases.put("gateway whole (encrypt+serialise, decrypt)", () -> {
      kh.encrypt(image);
      return kh.decrypt(answerBytes, 1);
    });
    phases.put("end to end in one thread", () -> kh.decrypt(be.evaluate(kh.encrypt(image)), 1));
    System.out.printf("{\"bench\": \"he-lr-breakdown\", \"query_bytes\": %d, \"answer_bytes\": %d, \"pt_level\": %d}%n",
        queryBytes.length, answerBytes.length, pt.level());
    String only = args.length > 1 ? args[1] : "";
    for (Map.Entry<String, Supplier<Object>> e : phases.entrySet()) {
      if (e.getKey().contains(only)) {
        measure(e.getKey(), e.getValue(), reps);
      }
    }
  }

  private static void measure(String phase, Supplier<Object> fn, int reps) {
    Object sink = dev.warden.bench.he.CpuTimes.warmUp(fn, reps, WARMUP_NANOS);
    double[] wall = new double[reps];
    double[] cpu = new double[reps];
    double[] alloc = new double[reps];
    long tid = Thread.currentThread().getId();
    for (int i = 0; i < reps; i++) {
      long a0 = MX.getThreadAllocatedBytes(tid);
      long c0 = MX.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      sink = fn.get();
      wall[i] = (System.nanoTime() - w0) / 1e6;
      cpu[i] = (MX.getCurrentThreadCpuTime() - c0) / 1e6;
      alloc[i] = (MX.getThreadAllocatedBytes(tid) - a0) / 1024.0;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    Arrays.sort(alloc);
    System.out.printf("{\"phase\": \"%s\", \"ms\": %.3f, \"cpu_ms\": %.3f, \"alloc_kib\": %.0f}%n",
        phase, wall[reps / 2], cpu[reps / 2], alloc[reps / 2]);
    if (sink == null) {
      System.out.print("");
    }
  }
}
