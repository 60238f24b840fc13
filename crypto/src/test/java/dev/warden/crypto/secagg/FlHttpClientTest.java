package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.secagg.cli.FlClientCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Three organisations over real HTTP on loopback: the library client and the CLI. */
class FlHttpClientTest {
  @TempDir Path dir;

  @Test
  void threeOrganisationsAggregateOverHttp() throws Exception {
    int d = 40;
    FixedPointEncoding enc = new FixedPointEncoding(1.0, 16, true, 0);
    SigningKey[] keys = RoundHarness.keys(3);
    RoundSpec.Builder spec = RoundSpec.builder().roundId("fl-demo").encoding(enc, d).dropoutFraction(0.3).reader("org-1").timeouts(Duration.ofMinutes(1));
    for (int i = 1; i <= 3; i++) spec.member("org-" + i, keys[i].publicKey());
    float[][] updates = new float[4][d];
    for (int i = 1; i <= 3; i++) for (int k = 0; k < d; k++) updates[i][k] = (float) (RoundHarness.RANDOM.nextGaussian() * 0.3);
    double[] w = {0, 1.0, 0.5, 0.25};
    try (RoundCoordinator co = new RoundCoordinator(dir.resolve("state"), Clock.systemUTC(), RoundHarness.RANDOM);
        LoopbackFlServer srv = new LoopbackFlServer(co)) {
      co.createRound(spec.build());
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<FlHttpClient.Outcome>> fs = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        final int id = i;
        fs.add(pool.submit(() -> new FlHttpClient(URI.create(srv.url()), "org-" + id, HttpClient.newHttpClient(), Duration.ofMillis(20), Duration.ofSeconds(60), RoundHarness.RANDOM)
            .participate("fl-demo", "org-" + id, keys[id], updates[id], w[id], true)));
      }
      List<FlHttpClient.Outcome> out = new ArrayList<>();
      for (Future<FlHttpClient.Outcome> f : fs) out.add(f.get());
      pool.shutdown();
      for (FlHttpClient.Outcome o : out) assertEquals("COMPLETE", o.finalState());
      assertTrue(out.get(0).result().isPresent(), "org-1 may read the aggregate");
      assertTrue(out.get(1).result().isEmpty(), "org-2 is not a reader");
      AggregateResult r = out.get(0).result().get();
      double[] mean = r.decodeMean(enc);
      for (int k = 0; k < d; k++) {
        double num = 0;
        // the encoding clips each entry to [-1, 1] before weighting (N(0, 0.3²) passes 1 about once a run in ten)
        for (int i = 1; i <= 3; i++) num += w[i] * Math.max(-enc.clip(), Math.min(enc.clip(), updates[i][k]));
        assertEquals(num / 1.75, mean[k], 4 * enc.step(), "entry " + k);
      }
      assertTrue(out.get(0).bytesSent() > 4 * (d + 1), "masked input was sent");
    }
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new FlClientCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void cliKeygenJoinAndVerify_forThreeOrganisations() throws Exception {
    int d = 8;
    FixedPointEncoding enc = new FixedPointEncoding(2.0, 12, false, 0);
    RoundSpec.Builder spec = RoundSpec.builder().roundId("cli-round").encoding(enc, d).dropoutFraction(0.3).reader("bank-a").timeouts(Duration.ofMinutes(1));
    String[] names = {"bank-a", "bank-b", "bank-c"};
    float[][] updates = new float[3][d];
    for (int i = 0; i < 3; i++) {
      String[] g = run("keygen", "--out", dir.resolve(names[i] + ".key").toString());
      assertEquals("0", g[0], g[2]);
      assertTrue(g[1].contains("publicKey"));
      spec.member(names[i], Base64.getDecoder().decode(Files.readString(dir.resolve(names[i] + ".key.pub")).trim()));
      ByteBuffer bb = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
      for (int k = 0; k < d; k++) {
        updates[i][k] = (float) (i + 1) * 0.1f * (k % 3 - 1);
        bb.putFloat(updates[i][k]);
      }
      Files.write(dir.resolve(names[i] + ".f32"), bb.array());
    }
    assertEquals("2", run("keygen", "--out", dir.resolve("bank-a.key").toString())[0], "refuses to overwrite a key");
    try (RoundCoordinator co = new RoundCoordinator(dir.resolve("state"), Clock.systemUTC(), RoundHarness.RANDOM);
        LoopbackFlServer srv = new LoopbackFlServer(co)) {
      byte[] cfgBytes = co.createRound(spec.build());
      Files.write(dir.resolve("round.cfg"), cfgBytes);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<String[]>> fs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        final String n = names[i];
        List<String> a = new ArrayList<>(List.of("join", "--url", srv.url(), "--round", "cli-round", "--name", n, "--key", dir.resolve(n + ".key").toString(),
            "--update", dir.resolve(n + ".f32").toString(), "--token", n, "--poll-ms", "20"));
        if (i == 0) a.addAll(List.of("--result-out", dir.resolve("aggregate.bin").toString()));
        fs.add(pool.submit(() -> run(a.toArray(new String[0]))));
      }
      for (Future<String[]> f : fs) {
        String[] r = f.get();
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"state\":\"COMPLETE\""), r[1]);
      }
      pool.shutdown();
      String[] v = run("verify", "--round", "cli-round", "--result", dir.resolve("aggregate.bin").toString(), "--config", dir.resolve("round.cfg").toString());
      assertEquals("0", v[0], v[2]);
      assertTrue(v[1].contains("\"verified\":true") && v[1].contains("\"survivors\":3"), v[1]);
      String[] v2 = run("verify", "--round", "cli-round", "--result", dir.resolve("aggregate.bin").toString(), "--url", srv.url());
      assertEquals("0", v2[0], v2[2]);
      // the aggregate does not verify against another round id
      String[] wrong = run("verify", "--round", "other-round", "--result", dir.resolve("aggregate.bin").toString(), "--config", dir.resolve("round.cfg").toString());
      assertEquals("1", wrong[0]);
      assertTrue(wrong[2].contains("WRONG_ROUND"), wrong[2]);
      // an unenrolled organisation is refused
      run("keygen", "--out", dir.resolve("mallory.key").toString());
      String[] m = run("join", "--url", srv.url(), "--round", "cli-round", "--name", "bank-a", "--key", dir.resolve("mallory.key").toString(),
          "--update", dir.resolve("bank-a.f32").toString());
      assertEquals("1", m[0]);
      assertTrue(m[2].contains("NOT_ENROLLED"), m[2]);
      // and a reader check: bank-b may not read
      HttpClient http = HttpClient.newHttpClient();
      var res = http.send(java.net.http.HttpRequest.newBuilder(URI.create(srv.url() + "/v1/fl/rounds/cli-round/result")).header("Authorization", "Bearer bank-b").build(),
          java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertEquals(403, res.statusCode());
      assertTrue(res.body().contains("\"code\":\"forbidden\""));
    }
  }
}
