package dev.warden.gateway.fl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.secagg.AggregateResult;
import dev.warden.crypto.secagg.FlHttpClient;
import dev.warden.crypto.secagg.Ring;
import dev.warden.crypto.secagg.RoundConfig;
import dev.warden.crypto.secagg.SecAggClient;
import dev.warden.crypto.secagg.SigningKey;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.it.TestGateways;
import dev.warden.crypto.secagg.DistributedDp;
import dev.warden.crypto.secagg.FixedPointEncoding;
import dev.warden.crypto.secagg.cli.FlClientCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Three organisations run secure-aggregation rounds through a real gateway on loopback (all standard
 * capabilities installed): with a dropout, across a gateway restart, with reader and enrolment checks.
 */
class FederatedGatewayTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String[] BANKS = {"bank-a", "bank-b", "bank-c"};
  private static final int LENGTH = 16;
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: fl}
      spec:
        tenants:
          - {id: coordinator, apiKeys: {sha256File: "@K_COORDINATOR@"}}
          - {id: bank-a, apiKeys: {sha256File: "@K_BANK_A@"}}
          - {id: bank-b, apiKeys: {sha256File: "@K_BANK_B@"}}
          - {id: bank-c, apiKeys: {sha256File: "@K_BANK_C@"}}
          - {id: outsider, apiKeys: {sha256File: "@K_OUTSIDER@"}}
        backends:
          none: {url: "http://127.0.0.1:9", protocol: oip}
        routes:
          - {name: unused, match: {protocol: oip, model: unused}, tenants: [coordinator], allowUnsignedModel: true, backend: none}
        audit: {file: "@AUDIT@", signingKey: "@SIGNING@", fsync: none}
        state: {store: embedded, dir: "@STATE@"}
        federated:
          cohort:
            - {name: bank-a, publicKeyFile: "@P_BANK_A@"}
            - {name: bank-b, publicKeyFile: "@P_BANK_B@"}
            - {name: bank-c, publicKeyFile: "@P_BANK_C@"}
          creators: [coordinator]
          participants: [bank-a, bank-b, bank-c]
          readers: [coordinator, bank-a]
          minSurvivors: 2
          @SHAPE@
          dropoutFraction: 0.3
          timeouts: {default: PT60S, advertiseKeys: @ADV@, maskedInput: @MASKED@}
      """;

  @TempDir Path dir;
  private final Map<String, String> apiKeys = new HashMap<>();
  private final Map<String, SigningKey> signing = new HashMap<>();

  /** Keys, audit key, policy file; {@code adv}/{@code masked} are the two short-able phase timeouts. */
  private Path setUp(String adv, String masked) throws Exception {
    return setUp(adv, masked, "vectorLength: " + LENGTH);
  }

  private Path setUp(String adv, String masked, String shape) throws Exception {
    Map<String, Object> tokens = new HashMap<>();
    for (String t : List.of("coordinator", "bank-a", "bank-b", "bank-c", "outsider")) {
      String key = TestGateways.newApiKey();
      apiKeys.put(t, key);
      tokens.put("K_" + t.toUpperCase().replace('-', '_'), TestGateways.keyHashes(dir, t + ".sha256", key));
    }
    for (String b : BANKS) {
      Path pub = dir.resolve(b + ".key.pub");
      if (!Files.exists(pub)) { // else enrolled with 'warden fl-client keygen'
        SigningKey k = SigningKey.generate(RANDOM);
        signing.put(b, k);
        Files.writeString(pub, Base64.getEncoder().encodeToString(k.publicKey()) + "\n");
      }
      tokens.put("P_" + b.toUpperCase().replace('-', '_'), pub);
    }
    AuditKeys.writePrivateKey(dir.resolve("audit.key"), AuditKeys.generate().getPrivate());
    tokens.put("AUDIT", dir.resolve("audit.log"));
    tokens.put("SIGNING", dir.resolve("audit.key"));
    tokens.put("STATE", dir.resolve("state"));
    tokens.put("SHAPE", shape);
    tokens.put("ADV", adv);
    tokens.put("MASKED", masked);
    return TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, tokens);
  }

  private static long[] input() {
    long[] x = new long[LENGTH];
    for (int k = 0; k < LENGTH; k++) {
      x[k] = RANDOM.nextInt(1 << 20);
    }
    return x;
  }

  private HttpResponse<byte[]> send(Gateway g, String method, String path, String tenant, byte[] body) throws Exception {
    HttpRequest.Builder b = TestGateways.request(TestGateways.url(g) + path, tenant == null ? null : apiKeys.get(tenant));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      b.header("Content-Type", "application/octet-stream");
    }
    return TestGateways.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private byte[] ok(Gateway g, String method, String path, String tenant, byte[] body) throws Exception {
    HttpResponse<byte[]> r = send(g, method, path, tenant, body);
    assertTrue(r.statusCode() / 100 == 2, () -> method + " " + path + " -> " + r.statusCode() + " " + TestGateways.utf8(r.body()));
    return r.body();
  }

  /** GET until the phase that produces it has closed (425 before). */
  private byte[] await(Gateway g, String path, String tenant) throws Exception {
    Instant until = Instant.now().plusSeconds(60);
    while (true) {
      HttpResponse<byte[]> r = send(g, "GET", path, tenant, null);
      if (r.statusCode() == 200) {
        return r.body();
      }
      assertEquals(425, r.statusCode(), () -> path + ": " + TestGateways.utf8(r.body()));
      assertTrue(Instant.now().isBefore(until), path + " never became ready");
      Thread.sleep(50);
    }
  }

  private String status(Gateway g, String round) throws Exception {
    return TestGateways.utf8(ok(g, "GET", "/v1/fl/rounds/" + round + "/status", "coordinator", null));
  }

  private RoundConfig create(Gateway g, String round) throws Exception {
    HttpResponse<byte[]> r = send(g, "POST", "/v1/fl/rounds", "coordinator",
        ("{\"roundId\":\"" + round + "\"}").getBytes(StandardCharsets.UTF_8));
    assertEquals(201, r.statusCode(), () -> TestGateways.utf8(r.body()));
    assertEquals("/v1/fl/rounds/" + round, r.headers().firstValue("Location").orElse(""));
    RoundConfig cfg = RoundConfig.parse(r.body());
    assertEquals(round, cfg.roundId());
    return cfg;
  }

  @Test
  void threeOrganisations_oneOffline_roundCompletesWithThePlainSum_andOnlyReadersGetIt() throws Exception {
    // 6 s to advertise: the offline bank-c is dropped only when it runs out, so both live clients (cold JIT,
    // key generation, three HTTP calls) must make it in time on a loaded CI machine; 3 s was a thin margin
    Path policy = setUp("PT6S", "PT60S");
    long[][] x = {input(), input(), input()};
    Gateway g = TestGateways.start(policy);
    try {
      HttpResponse<byte[]> denied = send(g, "POST", "/v1/fl/rounds", "bank-a", "{\"roundId\":\"nope\"}".getBytes(StandardCharsets.UTF_8));
      assertEquals(403, denied.statusCode(), "only creators may create rounds");
      create(g, "r1");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<FlHttpClient.Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < 2; i++) { // bank-c is enrolled but offline: it drops before advertising keys
        String bank = BANKS[i];
        long[] mine = x[i];
        outcomes.add(pool.submit(() -> new FlHttpClient(URI.create(TestGateways.url(g)), apiKeys.get(bank), TestGateways.HTTP,
            Duration.ofMillis(50), Duration.ofSeconds(60), RANDOM).participate("r1", bank, signing.get(bank), cfg -> mine, true)));
      }
      FlHttpClient.Outcome a = outcomes.get(0).get();
      FlHttpClient.Outcome b = outcomes.get(1).get();
      pool.shutdown();
      assertEquals("COMPLETE", a.finalState());
      assertEquals("COMPLETE", b.finalState());
      assertTrue(b.result().isEmpty(), "bank-b is not a reader");
      AggregateResult r = a.result().orElseThrow();
      assertArrayEquals(new int[] {1, 2}, r.survivors());
      long[] expected = new long[LENGTH];
      for (int k = 0; k < LENGTH; k++) {
        expected[k] = Ring.Z2_32.reduce(x[0][k] + x[1][k]);
      }
      assertArrayEquals(expected, r.sum(), "the aggregate is the plain sum of the survivors' inputs");

      assertEquals(403, send(g, "GET", "/v1/fl/rounds/r1/result", "bank-b", null).statusCode(), "non-reader");
      HttpResponse<byte[]> viaCoordinator = send(g, "GET", "/v1/fl/rounds/r1/result", "coordinator", null);
      assertEquals(200, viaCoordinator.statusCode());
      assertArrayEquals(expected, AggregateResult.parse(viaCoordinator.body(), a.config()).sum());
      assertEquals(403, send(g, "GET", "/v1/fl/rounds/r1/status", "outsider", null).statusCode(), "not a participant");
      assertTrue(status(g, "r1").contains("\"state\":\"COMPLETE\""));

      assertTrue(TestGateways.metric(g, "warden_fl_dropouts_total", "phase=\"advertise-keys\"") >= 1, "bank-c counted as a dropout");
      assertEquals(1, TestGateways.metric(g, "warden_fl_rounds_total", "outcome=\"complete\""));
      assertTrue(TestGateways.metric(g, "warden_fl_bytes_total", "endpoint=\"masked-input\"") >= 2 * 4 * LENGTH);
      assertTrue(TestGateways.metric(g, "warden_fl_round_duration_seconds_count", "outcome=\"complete\"") >= 1);
    } finally {
      g.close();
    }
    String audit = Files.readString(dir.resolve("audit.log"));
    long maskedRecords = audit.lines().filter(l -> l.contains("\"route\":\"fl\"") && l.contains("\"phase\":\"masked-input\"")
        && l.contains("\"round\":\"r1\"")).count();
    assertEquals(2, maskedRecords, "one audit record per masked-input call");
    assertTrue(audit.lines().anyMatch(l -> l.contains("\"phase\":\"result\"") && l.contains("\"tenant\":\"bank-b\"") && l.contains("\"status\":403")));
  }

  @Test
  void gatewayRestartMidRound_keepsTheRound_andAClientDroppingAfterSharingKeysIsRecovered() throws Exception {
    Path policy = setUp("PT60S", "PT6S"); // 6 s for both survivors' masked inputs after the restart (3 s was thin)
    long[][] x = {input(), input(), input()};
    Gateway g = TestGateways.start(policy);
    RoundConfig cfg;
    SecAggClient[] clients = new SecAggClient[3];
    try {
      cfg = create(g, "r2");
      for (int i = 0; i < 3; i++) {
        int index = cfg.indexOf(BANKS[i]).orElseThrow();
        clients[i] = SecAggClient.create(cfg, index, signing.get(BANKS[i]), RANDOM);
        assertEquals(204, send(g, "POST", "/v1/fl/rounds/r2/advertise-keys", BANKS[i], clients[i].advertiseKeys()).statusCode());
      }
      assertTrue(status(g, "r2").contains("\"state\":\"SHARE_KEYS\""), "all advertised: the phase closed");
    } finally {
      g.close();
    }

    assertTrue(Files.isRegularFile(dir.resolve("state/federated/r2/journal.log")), "journal under <spec.state.dir>/federated by default");
    Gateway g2 = TestGateways.start(policy); // same state directory: the round is replayed from its journal
    try {
      Path other = dir.resolve("second.yaml"); // a second gateway (own audit log) on the same round directory
      Files.writeString(other, Files.readString(policy).replace("audit.log", "audit-2.log"));
      Gateway second = TestGateways.start(other); // must not serve it: two writers would corrupt the journals
      try {
        HttpResponse<byte[]> refused = send(second, "GET", "/v1/fl/rounds/r2/status", "bank-a", null);
        assertEquals(503, refused.statusCode(), () -> TestGateways.utf8(refused.body()));
      } finally {
        second.close();
      }
      assertTrue(status(g2, "r2").contains("\"state\":\"SHARE_KEYS\""), status(g2, "r2"));
      assertArrayEquals(cfg.toBytes(), ok(g2, "GET", "/v1/fl/rounds/r2", "bank-a", null));
      for (int i = 0; i < 3; i++) {
        int index = i + 1;
        byte[] adv = ok(g2, "GET", "/v1/fl/rounds/r2/advertise-keys/" + index, BANKS[i], null);
        ok(g2, "POST", "/v1/fl/rounds/r2/share-keys", BANKS[i], clients[i].shareKeys(adv));
      }
      for (int i = 0; i < 2; i++) { // bank-c drops after sharing keys: its pairwise masks must be removed
        byte[] shares = ok(g2, "GET", "/v1/fl/rounds/r2/share-keys/" + (i + 1), BANKS[i], null);
        ok(g2, "POST", "/v1/fl/rounds/r2/masked-input", BANKS[i], clients[i].maskedInput(shares, x[i]));
      }
      for (int i = 0; i < 2; i++) {
        byte[] req = await(g2, "/v1/fl/rounds/r2/consistency-check", BANKS[i]); // after the 6 s masked-input deadline
        ok(g2, "POST", "/v1/fl/rounds/r2/consistency-check", BANKS[i], clients[i].consistencyCheck(req));
      }
      for (int i = 0; i < 2; i++) {
        byte[] req = await(g2, "/v1/fl/rounds/r2/unmask", BANKS[i]);
        ok(g2, "POST", "/v1/fl/rounds/r2/unmask", BANKS[i], clients[i].unmask(req));
      }
      HttpResponse<byte[]> late = send(g2, "POST", "/v1/fl/rounds/r2/advertise-keys", "bank-c",
          SecAggClient.create(cfg, 3, signing.get("bank-c"), RANDOM).advertiseKeys());
      assertEquals(409, late.statusCode(), "a message for a closed phase is refused");
      AggregateResult r = AggregateResult.parse(await(g2, "/v1/fl/rounds/r2/result", "coordinator"), cfg);
      assertArrayEquals(new int[] {1, 2}, r.survivors());
      for (int k = 0; k < LENGTH; k++) {
        assertEquals(Ring.Z2_32.reduce(x[0][k] + x[1][k]), r.sum()[k], "entry " + k);
      }
      assertTrue(status(g2, "r2").contains("\"state\":\"COMPLETE\""));
      assertTrue(TestGateways.metric(g2, "warden_fl_dropouts_total", "phase=\"masked-input\"") >= 1);
    } finally {
      g2.close();
    }
  }

  @Test
  void unsignedUnenrolledUnauthenticatedAndOversizedMessages_areRefused() throws Exception {
    Path policy = setUp("PT60S", "PT60S");
    Gateway g = TestGateways.start(policy);
    try {
      RoundConfig cfg = create(g, "r3");
      String adv = "/v1/fl/rounds/r3/advertise-keys";
      HttpResponse<byte[]> garbage = send(g, "POST", adv, "bank-a", "not a signed message at all, just text padding it out to a decent length".repeat(3)
          .getBytes(StandardCharsets.UTF_8));
      assertEquals(422, garbage.statusCode(), () -> TestGateways.utf8(garbage.body()));
      assertTrue(TestGateways.utf8(garbage.body()).contains("\"code\":\"malformed\""));
      byte[] good = SecAggClient.create(cfg, 1, signing.get("bank-a"), RANDOM).advertiseKeys();
      // a correctly framed message whose signature does not verify under bank-a's enrolled key
      byte[] tampered = good.clone();
      tampered[tampered.length - 1] ^= 1;
      HttpResponse<byte[]> forged = send(g, "POST", adv, "bank-a", tampered);
      assertEquals(401, forged.statusCode(), () -> TestGateways.utf8(forged.body()));
      assertTrue(TestGateways.utf8(forged.body()).contains("\"code\":\"bad_signature\""));
      // an organisation that is not enrolled signs with its own key: its message can only be bound to a
      // look-alike round (same id, its key in the cohort), whose context hash this round refuses
      SigningKey malloryKey = SigningKey.generate(RANDOM);
      byte[] seed = new byte[32];
      RANDOM.nextBytes(seed);
      RoundConfig lookAlike = RoundConfig.create(cfg.label(), "r3", List.of(new RoundConfig.Member("bank-a", malloryKey.publicKey()),
          cfg.member(2), cfg.member(3)), cfg.thresholdParameters(), seed, LENGTH, Ring.Z2_32, null);
      HttpResponse<byte[]> unenrolled = send(g, "POST", adv, "bank-a", SecAggClient.create(lookAlike, 1, malloryKey, RANDOM).advertiseKeys());
      assertEquals(409, unenrolled.statusCode(), () -> TestGateways.utf8(unenrolled.body()));
      assertTrue(TestGateways.utf8(unenrolled.body()).contains("\"code\":\"wrong_round\""));
      assertEquals(401, send(g, "POST", adv, null, good).statusCode(), "no credentials");
      assertEquals(403, send(g, "POST", adv, "outsider", good).statusCode(), "not a participant tenant");
      assertEquals(413, send(g, "POST", adv, "bank-a", new byte[4096]).statusCode(), "over the advertise-keys bound");
      assertEquals(425, send(g, "GET", adv + "/1", "bank-a", null).statusCode(), "phase still open");
      assertEquals(404, send(g, "GET", "/v1/fl/rounds/no-such-round/status", "bank-a", null).statusCode());
      assertEquals(404, send(g, "GET", "/v1/fl/elsewhere", "bank-a", null).statusCode());
      assertTrue(status(g, "r3").contains("\"received\":0"), "nothing was accepted: " + status(g, "r3"));
      assertEquals(204, send(g, "POST", adv, "bank-a", good).statusCode(), "the enrolled, signed message is accepted");
      assertEquals(204, send(g, "POST", adv, "bank-a", good).statusCode(), "an identical retry is idempotent");
      HttpResponse<byte[]> dup = send(g, "POST", adv, "bank-a", SecAggClient.create(cfg, 1, signing.get("bank-a"), RANDOM).advertiseKeys());
      assertEquals(409, dup.statusCode(), "a different second message is a duplicate");
    } finally {
      g.close();
    }
  }

  private static String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new FlClientCommand());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void threeOrganisationsWithTheCli_keygenJoinVerify_throughTheGateway() throws Exception {
    cliRound("", (g, cfg, updates) -> {
      String[] v = cli("verify", "--url", TestGateways.url(g), "--round", "fraud-2026-01", "--result", dir.resolve("aggregate.bin").toString(),
          "--token", apiKeys.get("bank-b"));
      assertEquals("0", v[0], v[2]);
      assertTrue(v[1].contains("\"verified\":true") && v[1].contains("\"survivors\":3"), v[1]);
      FixedPointEncoding enc = cfg.encoding().orElseThrow();
      double[] mean = AggregateResult.parse(Files.readAllBytes(dir.resolve("aggregate.bin")), cfg).decodeMean(enc);
      for (int k = 0; k < CLI_LENGTH; k++) {
        double plain = 0;
        for (int i = 0; i < 3; i++) {
          plain += Math.max(-2.0, Math.min(2.0, updates[i][k]));
        }
        assertEquals(plain / 3, mean[k], 4 * enc.step(), "entry " + k);
      }
      HttpResponse<byte[]> r = send(g, "GET", "/v1/fl/rounds/fraud-2026-01/result", "coordinator", null);
      assertTrue(r.headers().firstValue("Warden-Privacy-Epsilon").isEmpty(), "a round without noise claims no DP");
    });
  }

  @Test
  void aNoisyRoundsResult_carriesItsEpsilonAndDeltaForTheSurvivors() throws Exception {
    cliRound(", clientNoiseSigma: 3.0, delta: 1e-5", (g, cfg, updates) -> {
      HttpResponse<byte[]> r = send(g, "GET", "/v1/fl/rounds/fraud-2026-01/result", "coordinator", null);
      assertEquals(200, r.statusCode());
      DistributedDp.Guarantee expected = DistributedDp.guarantee(cfg.encoding().orElseThrow(), CLI_LENGTH, 3, 1e-5);
      assertEquals(expected.epsilon(), Double.parseDouble(r.headers().firstValue("Warden-Privacy-Epsilon").orElseThrow()),
          1e-5 * expected.epsilon());
      assertEquals(1e-5, Double.parseDouble(r.headers().firstValue("Warden-Privacy-Delta").orElseThrow()), 1e-12);
      assertEquals("3", r.headers().firstValue("Warden-FL-Survivors").orElseThrow());
      assertTrue(expected.epsilon() > 0 && Double.isFinite(expected.epsilon()));
    });
  }

  private interface CliRoundCheck {
    void check(Gateway g, RoundConfig cfg, float[][] updates) throws Exception;
  }

  private static final int CLI_LENGTH = 8;

  /** Three banks enrol with {@code keygen} and {@code join} round fraud-2026-01 with the CLI; then {@code check}. */
  private void cliRound(String extraEncoding, CliRoundCheck check) throws Exception {
    int d = CLI_LENGTH;
    for (String b : BANKS) {
      String[] k = cli("keygen", "--out", dir.resolve(b + ".key").toString());
      assertEquals("0", k[0], k[2]);
    }
    Path policy = setUp("PT60S", "PT60S", "encoding: {modelLength: " + d + ", clip: 2.0, bits: 12" + extraEncoding + "}");
    float[][] updates = new float[3][d];
    for (int i = 0; i < 3; i++) {
      ByteBuffer bb = ByteBuffer.allocate(4 * d).order(ByteOrder.LITTLE_ENDIAN);
      for (int k = 0; k < d; k++) {
        updates[i][k] = (float) (RANDOM.nextGaussian() * 0.5);
        bb.putFloat(updates[i][k]);
      }
      Files.write(dir.resolve(BANKS[i] + ".f32"), bb.array());
    }
    Gateway g = TestGateways.start(policy);
    try {
      RoundConfig cfg = create(g, "fraud-2026-01");
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<String[]>> runs = new ArrayList<>();
      for (String b : BANKS) {
        List<String> a = new ArrayList<>(List.of("join", "--url", TestGateways.url(g), "--round", "fraud-2026-01", "--name", b,
            "--key", dir.resolve(b + ".key").toString(), "--update", dir.resolve(b + ".f32").toString(), "--token", apiKeys.get(b),
            "--poll-ms", "50", "--timeout-s", "60"));
        if (b.equals("bank-a")) {
          a.addAll(List.of("--result-out", dir.resolve("aggregate.bin").toString()));
        }
        runs.add(pool.submit(() -> cli(a.toArray(new String[0]))));
      }
      for (Future<String[]> f : runs) {
        String[] r = f.get();
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("\"state\":\"COMPLETE\""), r[1]);
      }
      pool.shutdown();
      check.check(g, cfg, updates);
    } finally {
      g.close();
    }
  }

  @Test
  void aRoundBelowItsMinimumFailsCleanly_withTheReasonAnd410() throws Exception {
    Path policy = setUp("PT2S", "PT60S");
    Gateway g = TestGateways.start(policy);
    try {
      RoundConfig cfg = create(g, "r4");
      ok(g, "POST", "/v1/fl/rounds/r4/advertise-keys", "bank-a", SecAggClient.create(cfg, 1, signing.get("bank-a"), RANDOM).advertiseKeys());
      Instant until = Instant.now().plusSeconds(60);
      String s = status(g, "r4");
      while (!s.contains("\"state\":\"FAILED\"") && Instant.now().isBefore(until)) { // the timer closes the phase
        Thread.sleep(100);
        s = status(g, "r4");
      }
      assertTrue(s.contains("\"state\":\"FAILED\"") && s.contains("only 1 of 3"), s);
      HttpResponse<byte[]> r = send(g, "GET", "/v1/fl/rounds/r4/result", "coordinator", null);
      assertEquals(410, r.statusCode(), () -> TestGateways.utf8(r.body()));
      assertTrue(TestGateways.utf8(r.body()).contains("\"code\":\"round_failed\""));
      assertEquals(1, TestGateways.metric(g, "warden_fl_rounds_total", "outcome=\"failed\""));
    } finally {
      g.close();
    }
  }

  @Test
  void aFederatedSectionWithAnUnreadableKey_isRefusedAtLoad() throws Exception {
    Path policy = setUp("PT60S", "PT60S");
    Files.writeString(dir.resolve("bank-b.key.pub"), "too-short\n");
    Exception e = assertThrows(Exception.class, () -> TestGateways.start(policy));
    String why = e + " / " + e.getCause();
    assertTrue(why.contains("bank-b.key.pub") && why.contains("base64"), why);
  }
}
