package dev.warden.bench.screening;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * The screening stage's cost through a real gateway ({@link ScreeningGatewayFixture}), measured so that
 * machine load cancels out as far as it can: requests alternate plain / screened, so both see the same
 * load; the paired difference (screened − plain, adjacent requests) gives p50 / p99 of the added latency;
 * and the process CPU time of blocks of each route (client, gateway and backend share this JVM and do the
 * same work but for the stage) gives the stage's CPU time per request, which preemption does not inflate.
 *
 * <p>Run: {@code java -cp bench/target-screening-bench/benchmarks.jar dev.warden.bench.screening.ScreeningStageCost
 * [pairs] [rounds]}; prints one JSON line per round and a median line.
 */
public final class ScreeningStageCost {
  private ScreeningStageCost() {}

  public static void main(String[] args) throws Exception {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (ScreeningGatewayFixture f = new ScreeningGatewayFixture()) {
      for (int i = 0; i < 20_000; i++) { // warm-up: JIT of both paths
        f.plain();
        f.screened();
      }
      double[][] results = new double[rounds][];
      for (int r = 0; r < rounds; r++) {
        long[] plain = new long[pairs];
        long[] screened = new long[pairs];
        long[] diff = new long[pairs];
        for (int i = 0; i < pairs; i++) {
          boolean plainFirst = (i & 1) == 0; // alternate the order: neither route always follows the other
          long t0 = System.nanoTime();
          if (plainFirst) f.plain(); else f.screened();
          long t1 = System.nanoTime();
          if (plainFirst) f.screened(); else f.plain();
          long t2 = System.nanoTime();
          plain[i] = plainFirst ? t1 - t0 : t2 - t1;
          screened[i] = plainFirst ? t2 - t1 : t1 - t0;
          diff[i] = screened[i] - plain[i];
        }
        // CPU: blocks of one route, in turn
        int block = Math.max(1000, pairs / 4);
        long cpuPlain = 0;
        long cpuScreened = 0;
        for (int k = 0; k < 2; k++) {
          long c0 = os.getProcessCpuTime();
          for (int i = 0; i < block; i++) f.plain();
          long c1 = os.getProcessCpuTime();
          for (int i = 0; i < block; i++) f.screened();
          long c2 = os.getProcessCpuTime();
          cpuPlain += c1 - c0;
          cpuScreened += c2 - c1;
        }
        double cpuPlainUs = cpuPlain / 1e3 / (2.0 * block);
        double cpuScreenedUs = cpuScreened / 1e3 / (2.0 * block);
        results[r] = new double[] {pct(plain, 0.5), pct(plain, 0.99), pct(screened, 0.5), pct(screened, 0.99),
            pct(diff, 0.5), pct(diff, 0.99), pct(screened, 0.5) - pct(plain, 0.5), pct(screened, 0.99) - pct(plain, 0.99),
            cpuPlainUs, cpuScreenedUs, cpuScreenedUs - cpuPlainUs};
        System.out.println(line("round", r, results[r]));
      }
      double[] med = new double[results[0].length];
      for (int k = 0; k < med.length; k++) {
        double[] col = new double[rounds];
        for (int r = 0; r < rounds; r++) col[r] = results[r][k];
        Arrays.sort(col);
        med[k] = col[rounds / 2];
      }
      System.out.println(line("median", rounds, med));
    }
  }

  private static double pct(long[] ns, double p) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))] / 1e3;
  }

  private static String line(String kind, int n, double[] v) {
    return String.format(Locale.ROOT, "{\"%s\": %d, \"plain_p50_us\": %.1f, \"plain_p99_us\": %.1f, \"screened_p50_us\": %.1f, "
        + "\"screened_p99_us\": %.1f, \"paired_diff_p50_us\": %.1f, \"paired_diff_p99_us\": %.1f, \"added_p50_us\": %.1f, "
        + "\"added_p99_us\": %.1f, \"cpu_plain_us_per_req\": %.1f, \"cpu_screened_us_per_req\": %.1f, \"cpu_added_us_per_req\": %.1f}",
        kind, n, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]);
  }
}
