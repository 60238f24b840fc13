package dev.warden.gateway.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.dp.JournalPrivacyLedger;
import dev.warden.crypto.dp.ModelBudgetPolicy;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.gateway.it.TestGateways;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a gateway process under load: the gateway runs in a child JVM ({@code warden serve}) with the
 * embedded journal ledger; after {@link Process#destroyForcibly()} mid-load and a restart on the same state
 * directory, the ledger must hold at least the cost of every request that was answered 200 before the kill
 * (debits are fsync'd before the model is called).
 */
class PrivacyCrashTest {
  static final double EPSILON = 20;
  static final double DELTA = 1e-6;
  static final double RHO = 0.002;

  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: privacy-crash}
      spec:
        tenants:
          - {id: load, apiKeys: {sha256File: "@KEYS@"}}
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
        routes:
          - name: private
            match: {protocol: oip, model: digits}
            tenants: [load]
            allowUnsignedModel: true
            privacy: {mechanism: gaussian, outputKind: probabilities, dimension: 10, rhoPerQuery: @RHO@,
                      budget: {epsilon: @EPS@, delta: @DELTA@, globalEpsilon: 100}}
            backend: digits
        state: {store: embedded, dir: "@STATE@"}
      """;

  @TempDir Path dir;

  @Test
  void killDashNineUnderLoad_loosesNoDebitOfAnAnsweredRequest() throws Exception {
    String key = TestGateways.newApiKey();
    Path state = dir.resolve("state").toAbsolutePath();
    PrivacyBudget tenantBudget = PrivacyBudget.ofEpsilonDelta(EPSILON, DELTA);
    PrivacyCost cost = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, RHO)).cost();
    try (DigitsBackend backend = DigitsBackend.start(dir, "digits")) {
      Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
          "KEYS", TestGateways.keyHashes(dir, "keys.sha256", key), "PORT", backend.port(),
          "RHO", RHO, "EPS", EPSILON, "DELTA", DELTA, "STATE", state));

      Child first = Child.start(policy, dir.resolve("gateway-1.log"));
      AtomicInteger answered = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService load = Executors.newFixedThreadPool(4);
      try {
        for (int t = 0; t < 4; t++) {
          load.execute(() -> {
            while (!stop.get()) {
              try {
                HttpResponse<String> r = TestGateways.postJson(first.url() + "/v2/models/digits/infer", key,
                    DigitsBackend.oipRequest(distinct(next.getAndIncrement())));
                if (r.statusCode() == 200) {
                  answered.incrementAndGet();
                }
              } catch (Exception e) {
                // the process was killed under us: expected
              }
            }
          });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (answered.get() < 40 && System.nanoTime() < deadline && first.process.isAlive()) {
          Thread.sleep(5);
        }
        first.process.destroyForcibly(); // SIGKILL while the load threads are mid-request
        int answeredBeforeKill = answered.get();
        assertTrue(first.process.waitFor(30, TimeUnit.SECONDS), "child must die");
        stop.set(true);
        load.shutdown();
        assertTrue(load.awaitTermination(60, TimeUnit.SECONDS));
        int answeredTotal = answered.get(); // answers that arrived in the instant of the kill count too
        assertTrue(answeredBeforeKill >= 40, "load did not get going: " + answeredBeforeKill + " answers; see "
            + first.log);

        Child second = Child.start(policy, dir.resolve("gateway-2.log"));
        try {
          HttpResponse<String> r = TestGateways.postJson(second.url() + "/v2/models/digits/infer", key,
              DigitsBackend.oipRequest(distinct(1_000_000)));
          assertEquals(200, r.statusCode(), r.body());
          double spent = Double.parseDouble(r.headers().firstValue(PrivacyStage.SPENT).orElseThrow());
          double atLeast = tenantBudget.epsilonSpent((answeredTotal + 1L) * cost.micros());
          assertTrue(spent >= atLeast - 1e-6, "after restart the ledger shows eps " + spent + " spent, but "
              + (answeredTotal + 1) + " answered releases cost eps " + atLeast);
        } finally {
          second.stop();
        }
        ModelBudgetPolicy mbp = new ModelBudgetPolicy(tenantBudget, PrivacyBudget.ofEpsilonDelta(100, DELTA),
            Optional.empty());
        try (JournalPrivacyLedger ledger = JournalPrivacyLedger.open(state.resolve("privacy.journal"), m -> mbp)) {
          long spentMicros = ledger.status("load", "digits").tenantSpentMicros();
          assertTrue(spentMicros >= (answeredTotal + 1L) * cost.micros(), "journal holds " + spentMicros
              + " micro-rho, answered " + (answeredTotal + 1) + " x " + cost.micros());
          assertTrue(spentMicros <= (long) next.get() * cost.micros() + cost.micros() + cost.micros(),
              "no more is charged than was ever requested: " + spentMicros);
        }
      } finally {
        stop.set(true);
        load.shutdownNow();
        first.process.destroyForcibly();
      }
    }
  }

  /** A distinct digit-like input per index (pixel 0 carries the index). */
  static float[] distinct(int i) {
    float[] x = DigitsBackend.testRow(i % 300);
    x[0] = i / 1000f;
    return x;
  }

  /** {@code warden serve} in a child JVM on free loopback ports. */
  record Child(Process process, int port, int adminPort, Path log) {
    static Child start(Path policy, Path log) throws Exception {
      // the ports are free when chosen but closed again before the child binds them: another server may take
      // one in between, and the child then exits on the bind. Try other ports then, not fail the test.
      for (int attempt = 1;; attempt++) {
        int[] ports = freePorts();
        try {
          return start(policy, log, ports[0], ports[1]);
        } catch (PortTaken e) {
          if (attempt == 3) {
            throw e;
          }
        }
      }
    }

    private static Child start(Path policy, Path log, int port, int admin) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          "dev.warden.gateway.cli.WardenCli", "serve", "--policy", policy.toString(), "--host", "127.0.0.1",
          "--port", Integer.toString(port), "--admin-host", "127.0.0.1", "--admin-port", Integer.toString(admin),
          "--event-loops", "2"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      Child c = new Child(p, port, admin, log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          String out = Files.readString(log);
          if (out.contains("Address already in use")) {
            throw new PortTaken(out);
          }
          throw new AssertionError("gateway child exited with " + p.exitValue() + ":\n" + out);
        }
        try {
          if (TestGateways.get("http://127.0.0.1:" + admin + "/readyz", null).statusCode() == 200) {
            return c;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(100);
      }
      p.destroyForcibly();
      throw new AssertionError("gateway child not ready in 90 s:\n" + Files.readString(log));
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }

    /** Two different free ports: both sockets stay open until both are chosen. */
    private static int[] freePorts() throws IOException {
      try (ServerSocket a = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
          ServerSocket b = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return new int[] {a.getLocalPort(), b.getLocalPort()};
      }
    }
  }

  /** The child could not bind a port chosen for it. */
  private static final class PortTaken extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    PortTaken(String log) {
      super("gateway child could not bind its port:\n" + log);
    }
  }
}
