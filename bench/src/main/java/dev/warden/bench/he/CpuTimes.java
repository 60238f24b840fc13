package dev.warden.bench.he;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Side-by-side helper for a shared, busy machine: runs every operation of {@link CkksBenchmark} and
 * {@link InferenceBenchmark} in one thread and prints, per operation, the median wall time and the
 * median <em>thread CPU time</em> (which other processes' load inflates far less than wall time) as JSON
 * lines {@code {"N":…,"op":…,"ms":…,"cpu_ms":…,"impl":"warden-java"}}. The node-seal part of
 * {@code bench/he.sh} prints the same fields (CPU from {@code process.cpuUsage()}).
 *
 * <p>Run: {@code java -cp bench/target-he-bench/benchmarks.jar dev.warden.bench.he.CpuTimes [reps]}.
 */
public final class CpuTimes {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  /** Warm-up time per operation: enough for the JIT to compile the NTT and key-switching loops. */
  private static final long WARMUP_NANOS = 2_000_000_000L;

  private CpuTimes() {}

  /** Warm-up: at least {@code reps} calls and at least {@code nanos}, so C2 has compiled the hot loops; returns the last result. */
  public static Object warmUp(Supplier<Object> fn, int reps, long nanos) {
    Object sink = null;
    long start = System.nanoTime();
    for (int i = 0; i < reps || System.nanoTime() - start < nanos; i++) {
      sink = fn.get();
    }
    return sink;
  }

  static void measure(int n, String op, Supplier<Object> fn, int reps) {
    Object sink = warmUp(fn, reps, WARMUP_NANOS);
    double[] wall = new double[reps];
    double[] cpu = new double[reps];
    for (int i = 0; i < reps; i++) {
      long c0 = MX.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      sink = fn.get();
      wall[i] = (System.nanoTime() - w0) / 1e6;
      cpu[i] = (MX.getCurrentThreadCpuTime() - c0) / 1e6;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    System.out.printf("{\"N\": %d, \"op\": \"%s\", \"ms\": %.3f, \"cpu_ms\": %.3f, \"impl\": \"warden-java\"}%n",
        n, op, wall[reps / 2], cpu[reps / 2]);
    if (sink == null) {
      System.out.print("");
    }
  }

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    for (int n : new int[] {8192, 16384}) {
      CkksBenchmark b = new CkksBenchmark();
      b.n = n;
      b.setUp();
      Map<String, Supplier<Object>> ops = new LinkedHashMap<>();
      ops.put("encode", b::encode);
      ops.put("encrypt_sk", b::encrypt_sk);
      ops.put("encrypt_pk", b::encrypt_pk);
      ops.put("add", b::add);
      ops.put("multiply_plain", b::multiply_plain);
      ops.put("multiply", b::multiply);
      ops.put("relinearize", b::relinearize);
      ops.put("rescale", b::rescale);
      ops.put("mul_relin_rescale", b::mul_relin_rescale);
      ops.put("rotate1", b::rotate1);
      ops.put("decrypt_decode", b::decrypt_decode);
      ops.put("dot784_ct_pt", b::dot784_ct_pt);
      ops.put("dot784_e2e", b::dot784_e2e);
      for (Map.Entry<String, Supplier<Object>> e : ops.entrySet()) {
        measure(n, e.getKey(), e.getValue(), e.getKey().startsWith("dot") ? Math.max(5, reps / 3) : reps);
      }
    }
    for (String model : new String[] {"logreg", "mlp"}) {
      InferenceBenchmark ib = new InferenceBenchmark();
      ib.model = model;
      ib.setUp();
      measure(ib.n, model + "_e2e", ib::e2e, model.equals("mlp") ? Math.max(5, reps / 5) : reps);
    }
  }
}
