package dev.warden.bench.secagg;

import dev.warden.crypto.secagg.AggregateResult;
import dev.warden.crypto.secagg.FixedPointEncoding;
import dev.warden.crypto.secagg.Phase;
import dev.warden.crypto.secagg.RoundConfig;
import dev.warden.crypto.secagg.SecAggClient;
import dev.warden.crypto.secagg.SecAggServer;
import dev.warden.crypto.secagg.SigningKey;
import dev.warden.crypto.secagg.ThresholdParameters;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Whole-round harness for SecAgg+ (not JMH: one round is seconds of work and has phases we time
 * separately). Workload: n clients, each with a d-entry update encoded at 16 bits (ring Z_2^32), a fraction
 * of clients dropping after sharing keys and before sending the masked input (the costliest dropout point
 * for the server, which must then strip their pairwise masks). Measures, per client, the compute time of
 * each phase (clients run one after another on one thread, so times are not inflated by each other);
 * per server phase, the time to accept the messages and close the phase (unmasking runs in parallel
 * across cores); bytes each client sends and receives; the expansion factor over a plain 32-bit update.
 * The sum is checked against the plain sum.
 *
 * <pre>java -cp bench/target-secagg-bench/benchmarks.jar dev.warden.bench.secagg.SecAggRoundBench [n] [d] [dropout] [degree|complete] [rounds]</pre>
 */
public final class SecAggRoundBench {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int d = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    double dropout = args.length > 2 ? Double.parseDouble(args[2]) : 0.1;
    String graph = args.length > 3 ? args[3] : "complete";
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    SecureRandom rnd = new SecureRandom();
    SigningKey[] keys = new SigningKey[n + 1];
    List<RoundConfig.Member> cohort = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      keys[i] = SigningKey.generate(rnd);
      cohort.add(new RoundConfig.Member("org-" + i, keys[i].publicKey()));
    }
    ThresholdParameters tp;
    if (graph.equals("complete")) {
      tp = ThresholdParameters.derive(n, dropout, 0.1);
    } else {
      int k = Integer.parseInt(graph);
      tp = ThresholdParameters.of(n, k, (int) Math.ceil(0.6 * (k + 1)));
    }
    FixedPointEncoding enc = new FixedPointEncoding(1.0, 16, false, 0);
    // inputs (encoded once, outside the timings)
    long[][] x = new long[n + 1][];
    float[] u = new float[d];
    for (int i = 1; i <= n; i++) {
      for (int k = 0; k < d; k++) u[k] = (float) (rnd.nextGaussian() * 0.2);
      x[i] = enc.encode(u, rnd);
    }
    int drops = (int) Math.round(dropout * n);
    for (int r = 0; r < rounds; r++) {
      byte[] seed = new byte[32];
      rnd.nextBytes(seed);
      RoundConfig cfg = RoundConfig.create(RoundConfig.DEFAULT_LABEL, "bench-" + r, cohort, tp, seed, d, enc.ringFor(n), enc);
      runRound(cfg, keys, x, drops, rnd, r == rounds - 1, graph);
    }
  }

  private static void runRound(RoundConfig cfg, SigningKey[] keys, long[][] x, int drops, SecureRandom rnd, boolean print, String graph) {
    int n = cfg.cohortSize();
    int d = cfg.vectorLength();
    SecAggServer server = new SecAggServer(cfg, 0);
    SecAggClient[] c = new SecAggClient[n + 1];
    long[][] clientNs = new long[n + 1][5];
    long[] clientCpu = new long[n + 1];
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpu;
    long[] sent = new long[n + 1];
    long[] recv = new long[n + 1];
    long[] serverNs = new long[5];
    boolean[] dropped = new boolean[n + 1];
    for (int i = 1; i <= drops; i++) dropped[1 + (i * 7919) % n] = true; // spread over the cohort
    long t;

    for (int i = 1; i <= n; i++) {
      cpu = mx.getCurrentThreadCpuTime();
      t = System.nanoTime();
      c[i] = SecAggClient.create(cfg, i, keys[i], rnd);
      byte[] m = c[i].advertiseKeys();
      clientNs[i][0] += System.nanoTime() - t;
      clientCpu[i] += mx.getCurrentThreadCpuTime() - cpu;
      sent[i] += m.length;
      t = System.nanoTime();
      server.accept(Phase.ADVERTISE_KEYS, m);
      serverNs[0] += System.nanoTime() - t;
    }
    t = System.nanoTime();
    server.closePhase();
    serverNs[0] += System.nanoTime() - t;

    for (int i = 1; i <= n; i++) {
      t = System.nanoTime();
      byte[] in = server.advertisementsFor(i);
      serverNs[1] += System.nanoTime() - t;
      recv[i] += in.length;
      cpu = mx.getCurrentThreadCpuTime();
      t = System.nanoTime();
      byte[] m = c[i].shareKeys(in);
      clientNs[i][1] += System.nanoTime() - t;
      clientCpu[i] += mx.getCurrentThreadCpuTime() - cpu;
      sent[i] += m.length;
      t = System.nanoTime();
      server.accept(Phase.SHARE_KEYS, m);
      serverNs[1] += System.nanoTime() - t;
    }
    t = System.nanoTime();
    server.closePhase();
    serverNs[1] += System.nanoTime() - t;

    for (int i = 1; i <= n; i++) {
      if (dropped[i]) continue;
      t = System.nanoTime();
      byte[] in = server.sharesFor(i);
      serverNs[2] += System.nanoTime() - t;
      recv[i] += in.length;
      cpu = mx.getCurrentThreadCpuTime();
      t = System.nanoTime();
      byte[] m = c[i].maskedInput(in, x[i]);
      clientNs[i][2] += System.nanoTime() - t;
      clientCpu[i] += mx.getCurrentThreadCpuTime() - cpu;
      sent[i] += m.length;
      t = System.nanoTime();
      server.accept(Phase.MASKED_INPUT, m);
      serverNs[2] += System.nanoTime() - t;
    }
    t = System.nanoTime();
    server.closePhase();
    byte[] req = server.consistencyRequest();
    serverNs[2] += System.nanoTime() - t;

    for (int i = 1; i <= n; i++) {
      if (dropped[i]) continue;
      recv[i] += req.length;
      cpu = mx.getCurrentThreadCpuTime();
      t = System.nanoTime();
      byte[] m = c[i].consistencyCheck(req);
      clientNs[i][3] += System.nanoTime() - t;
      clientCpu[i] += mx.getCurrentThreadCpuTime() - cpu;
      sent[i] += m.length;
      t = System.nanoTime();
      server.accept(Phase.CONSISTENCY_CHECK, m);
      serverNs[3] += System.nanoTime() - t;
    }
    t = System.nanoTime();
    server.closePhase();
    byte[] ureq = server.unmaskRequest();
    serverNs[3] += System.nanoTime() - t;

    for (int i = 1; i <= n; i++) {
      if (dropped[i]) continue;
      recv[i] += ureq.length;
      cpu = mx.getCurrentThreadCpuTime();
      t = System.nanoTime();
      byte[] m = c[i].unmask(ureq);
      clientNs[i][4] += System.nanoTime() - t;
      clientCpu[i] += mx.getCurrentThreadCpuTime() - cpu;
      sent[i] += m.length;
      t = System.nanoTime();
      server.accept(Phase.UNMASK, m);
      serverNs[4] += System.nanoTime() - t;
    }
    com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long procCpu = os.getProcessCpuTime();
    t = System.nanoTime();
    SecAggServer.State st = server.closePhase();
    long unmaskClose = System.nanoTime() - t;
    long unmaskCpu = os.getProcessCpuTime() - procCpu;
    serverNs[4] += unmaskClose;
    if (st != SecAggServer.State.COMPLETE) throw new IllegalStateException("round failed: " + server.failureReason());

    AggregateResult res = server.result();
    long[] plain = new long[d];
    for (int i : res.survivors()) for (int k = 0; k < d; k++) plain[k] += x[i][k];
    for (int k = 0; k < d; k++) plain[k] &= 0xffffffffL;
    if (!Arrays.equals(plain, res.sum())) throw new IllegalStateException("aggregate differs from the plain sum");
    if (!print) return;

    double[] perClient = new double[n];
    double[] perClientCpu = new double[n];
    double[] perClientMask = new double[n];
    long sentSum = 0;
    long recvSum = 0;
    int survivors = res.survivors().length;
    int o = 0;
    for (int i = 1; i <= n; i++) {
      if (dropped[i]) continue;
      perClient[o] = Arrays.stream(clientNs[i]).sum() / 1e9;
      perClientCpu[o] = clientCpu[i] / 1e9;
      perClientMask[o] = clientNs[i][2] / 1e9;
      sentSum += sent[i];
      recvSum += recv[i];
      o++;
    }
    double[] pc = Arrays.copyOf(perClient, o);
    Arrays.sort(pc);
    double plainBytes = 4.0 * d;
    String common = String.format(Locale.ROOT, "\"n\":%d,\"d\":%d,\"dropout\":%.2f,\"graph\":\"%s\",\"degree\":%d,\"threshold\":%d,\"cores\":%d",
        n, d, (n - survivors) / (double) n, graph, cfg.thresholdParameters().degree(), cfg.threshold(), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "{\"bench\":\"secagg.client_compute\",\"unit\":\"s\",\"median\":%.4f,\"max\":%.4f,\"cpu_median\":%.4f,\"mask_phase_median\":%.4f,%s}%n",
        pc[o / 2], pc[o - 1], median(Arrays.copyOf(perClientCpu, o)), median(Arrays.copyOf(perClientMask, o)), common);
    String[] names = {"advertise_keys", "share_keys", "masked_input", "consistency_check", "unmask"};
    for (int p = 0; p < 5; p++) {
      System.out.printf(Locale.ROOT, "{\"bench\":\"secagg.server_%s\",\"unit\":\"s\",\"score\":%.4f,%s}%n", names[p], serverNs[p] / 1e9, common);
    }
    System.out.printf(Locale.ROOT, "{\"bench\":\"secagg.server_unmask_reconstruct_and_strip\",\"unit\":\"s\",\"score\":%.4f,\"process_cpu\":%.4f,%s}%n",
        unmaskClose / 1e9, unmaskCpu / 1e9, common);
    System.out.printf(Locale.ROOT, "{\"bench\":\"secagg.bytes_per_client\",\"sent\":%d,\"received\":%d,\"plain_update\":%d,\"expansion_sent\":%.4f,\"expansion_sent_and_received\":%.4f,%s}%n",
        sentSum / o, recvSum / o, (long) plainBytes, sentSum / (double) o / plainBytes, (sentSum + recvSum) / (double) o / plainBytes, common);
  }

  private static double median(double[] v) {
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
