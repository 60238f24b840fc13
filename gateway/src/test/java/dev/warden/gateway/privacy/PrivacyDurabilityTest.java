package dev.warden.gateway.privacy;

import static dev.warden.gateway.privacy.DigitsBackend.oipRequest;
import static dev.warden.gateway.privacy.DigitsBackend.testRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.dp.BudgetStatus;
import dev.warden.crypto.dp.DebitReceipt;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyBudgetExhaustedException;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.crypto.dp.PrivacyLedger;
import dev.warden.crypto.dp.PrivacyLedgerUnavailableException;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestGateways;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.runtime.AuditLogSink;
import dev.warden.gateway.screening.Screening;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The privacy stage overlaps the journal's fsync with the model call but never lets an answer out before
 * its debit is durable: a real gateway in front of the real digits model, whose embedded ledger is wrapped so
 * the test decides when (and whether) each debit becomes durable.
 */
class PrivacyDurabilityTest {
  static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: privacy-durability}
      spec:
        tenants:
          - {id: held, apiKeys: {sha256File: "@KEYS@"}}
        backends:
          digits: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 10000}
        routes:
          - name: private
            match: {protocol: oip, model: digits}
            tenants: ["*"]
            allowUnsignedModel: true
            privacy: {mechanism: gaussian, outputKind: probabilities, dimension: 10, rhoPerQuery: 0.002,
                      budget: {epsilon: 4.0, delta: 1.0e-6, globalEpsilon: 1000}}
            backend: digits
        state: {store: embedded, dir: "@STATE@"@ON_UNAVAILABLE@}
      """;

  @TempDir static Path dir;
  static DigitsBackend backend;
  static Gateway gateway;
  static String key;
  static final LinkedBlockingQueue<CompletableFuture<Void>> gates = new LinkedBlockingQueue<>();
  static volatile PrivacyLedger journal;
  static PrivacyCost cost;

  /** Each debit becomes durable only when the journal made it durable AND the test completed its gate. */
  static final class HeldLedger implements PrivacyLedger {
    private final PrivacyLedger inner;

    HeldLedger(PrivacyLedger inner) {
      this.inner = inner;
    }

    @Override
    public DebitReceipt debit(String id, String tenant, String model, PrivacyCost c)
        throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
      return inner.debit(id, tenant, model, c);
    }

    @Override
    public DebitReceipt reserve(String id, String tenant, String model, PrivacyCost c)
        throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
      return inner.reserve(id, tenant, model, c);
    }

    @Override
    public boolean reserveMayBlock() {
      return inner.reserveMayBlock();
    }

    @Override
    public CompletionStage<Void> whenDurable(DebitReceipt r) {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      return inner.whenDurable(r).thenCompose(v -> gate);
    }

    @Override
    public void refund(DebitReceipt r) throws PrivacyLedgerUnavailableException {
      inner.refund(r);
    }

    @Override
    public BudgetStatus status(String tenant, String model) throws PrivacyLedgerUnavailableException {
      return inner.status(tenant, model);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    backend = DigitsBackend.start(dir, "digits");
    key = TestGateways.newApiKey();
    Path policy = policy("policy.yaml", "");
    GatewayMetrics metrics = new GatewayMetrics();
    Screening screening = new Screening(metrics, false);
    Privacy privacy = new Privacy(screening, false, l -> {
      journal = l;
      return new HeldLedger(l);
    });
    gateway = Gateway.builder().policy(policy).listen("127.0.0.1", 0).admin("127.0.0.1", 0).eventLoops(2)
        .watchPolicy(false).stage(screening.factory()).stage(privacy.factory()).metrics(metrics)
        .auditOpener(AuditLogSink::open).onClose(privacy).onClose(screening).build();
    gateway.start().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    cost = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, 0.002)).cost();
  }

  static Path policy(String name, String onUnavailable) throws Exception {
    return TestGateways.writePolicy(dir.resolve(name), POLICY, Map.of(
        "KEYS", TestGateways.keyHashes(dir, "held.sha256", key), "PORT", backend.port(),
        "STATE", dir.resolve("state").toAbsolutePath(), "ON_UNAVAILABLE", onUnavailable));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  static CompletableFuture<HttpResponse<String>> inferAsync(int row) {
    return TestGateways.HTTP.sendAsync(TestGateways.request(TestGateways.url(gateway) + "/v2/models/digits/infer", key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(oipRequest(testRow(row))))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static long spent() throws Exception {
    return journal.status("held", "digits").tenantSpentMicros();
  }

  @Test
  void theNoisyAnswerWaitsForItsDebitToBeDurable_thenLeaves() throws Exception {
    long before = spent();
    CompletableFuture<HttpResponse<String>> answer = inferAsync(1);

    CompletableFuture<Void> gate = gates.poll(30, TimeUnit.SECONDS); // the model answered, noise was added
    assertTrue(gate != null, "the stage must ask for durability before releasing");
    Thread.sleep(300);
    assertFalse(answer.isDone(), "nothing may reach the client before the debit is durable");
    assertEquals(before + cost.micros(), spent(), "the budget is reserved while the answer waits");

    gate.complete(null);
    HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue(PrivacyStage.SPENT).isPresent());
    assertEquals("dp", r.headers().firstValue("Warden-Privacy-Mechanism").orElse(null));
  }

  @Test
  void durabilityFailing_answers503_releasesNothing_andTheBudgetStaysSpent() throws Exception {
    long before = spent();
    CompletableFuture<HttpResponse<String>> answer = inferAsync(2);
    CompletableFuture<Void> gate = gates.poll(30, TimeUnit.SECONDS);
    assertTrue(gate != null);
    gate.completeExceptionally(new PrivacyLedgerUnavailableException("disk gone", null));

    HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("privacy_ledger_unavailable", DigitsBackend.JSON.readTree(r.body()).path("code").asText());
    assertFalse(r.body().contains("outputs"), "no model output may leak in the refusal: " + r.body());
    Thread.sleep(200); // a (wrong) refund would run on the ledger pool after the exchange finished
    assertEquals(before + cost.micros(), spent(), "a computed noisy output is never refunded");

    // the refused answer was not cached: the same input is computed (and charged) afresh
    CompletableFuture<HttpResponse<String>> again = inferAsync(2);
    gates.poll(30, TimeUnit.SECONDS).complete(null);
    assertEquals(200, again.get(30, TimeUnit.SECONDS).statusCode());
    assertEquals(before + 2 * cost.micros(), spent());
  }
}
