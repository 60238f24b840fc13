package dev.warden.gateway.privacy;

import dev.warden.detectors.digest.DataType;
import dev.warden.crypto.dp.BudgetStatus;
import dev.warden.crypto.dp.DebitReceipt;
import dev.warden.crypto.dp.NoiseUnavailableException;
import dev.warden.crypto.dp.NoisyResponseCache;
import dev.warden.crypto.dp.PrivacyBudgetExhaustedException;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.crypto.dp.PrivacyLedger;
import dev.warden.crypto.dp.PrivacyLedgerException;
import dev.warden.detectors.digest.InputDigest;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageAnswer;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.gateway.protocol.InferenceMessage;
import dev.warden.gateway.protocol.Tensor;
import dev.warden.gateway.screening.InputDigests;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * Steps 7 and 9 for a route with {@code privacy:}: before the model is called, reserve the tenant's and
 * the model's budgets or refuse with 429 {@code privacy_budget_exhausted}; on the way back, replace each
 * configured output row by its noisy release, set {@code Warden-Privacy-Epsilon-Spent/-Remaining}, and
 * remember the answer, so the same input from the same tenant gets the same noisy answer for free
 * (repeating a query must not average the noise away).
 *
 * <p><b>Durability overlaps the model call.</b> The embedded journal's {@code reserve} only takes an
 * in-memory lock, so it runs on the event loop (no hop to a worker); its fsync starts at once on the
 * ledger's flusher thread while the model computes, and {@link #beforeRelease} holds the answer until the
 * debit is durable, without blocking the event loop. A ledger whose reserve does I/O (Redis: reserve =
 * debit, durable on return) is called on a worker. If durability fails, the answer is not sent (503
 * {@code privacy_ledger_unavailable}) and the debit stays spent: its noisy output was computed.
 *
 * <p>A debit is refunded only when no noisy output was produced. The ledger being unreachable refuses
 * the request (503): privacy fails closed ({@code state.onUnavailable: fail-open} is refused at load).
 */
final class PrivacyStage implements Stage {
  static final String SPENT = "Warden-Privacy-Epsilon-Spent";
  static final String REMAINING = "Warden-Privacy-Epsilon-Remaining";
  /** The receipt and the ledger that issued it (a reload may swap the ledger while the model runs). */
  private record Debit(PrivacyLedger ledger, DebitReceipt receipt) {}
  private static final Exchange.Key<Debit> DEBIT = new Exchange.Key<>("privacy-debit");

  record CachedAnswer(MultiMap headers, Buffer body) {}

  /**
   * Wakes the journal's flusher after the event loop's current task, i.e. after the model call was sent: woken at
   * once, the flusher tends to run first on this core and delays the send by tens of microseconds.
   */
  private static final Executor AFTER_THIS_TASK = r -> {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  };

  private final OutputMechanism mechanism;
  private final List<String> outputs;
  private final Supplier<PrivacyLedger> ledger;
  private final InputDigests digests;
  private final NoisyResponseCache<CachedAnswer> cache;
  private final ExecutorService ledgerPool;

  PrivacyStage(OutputMechanism mechanism, List<String> outputs, Supplier<PrivacyLedger> ledger,
      InputDigests digests, NoisyResponseCache<CachedAnswer> cache, ExecutorService ledgerPool) {
    this.mechanism = mechanism;
    this.outputs = List.copyOf(outputs);
    this.ledger = ledger;
    this.digests = digests;
    this.cache = cache;
    this.ledgerPool = ledgerPool;
  }

  @Override
  public Phase phase() {
    return Phase.PRIVACY_ADMISSION;
  }

  @Override
  public String name() {
    return "privacy";
  }

  @Override
  public boolean rewritesResponse() {
    return true;
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    if (ex.inference() == null) {
      return null; // metadata and readiness calls release no model output
    }
    InputDigest digest = digests.of(ex);
    var hit = cache.get(ex.tenant(), ex.model(), digest.bytes());
    if (hit.isPresent()) {
      // a cached answer was released only after its debit was durable: nothing to wait for
      ex.verdict(name(), StageVerdict.PASS, "repeat of an answered input: same answer, no charge");
      throw new StageAnswer(200, hit.get().headers(), hit.get().body());
    }
    if (!mechanism.isDp()) {
      ex.verdict(name(), StageVerdict.PASS, "coarsening only (not differential privacy)");
      return null;
    }
    int rows = rows(ex.inference());
    PrivacyCost cost = mechanism.costPerRow().times(rows);
    // The ledger is idempotent by id. X-Request-Id may come from the client, so it cannot be that id alone:
    // reusing one would release fresh answers for new inputs free of charge. One debit per exchange.
    String debitId = ex.requestId() + "/" + java.util.UUID.randomUUID();
    PrivacyLedger l = ledger.get();
    if (!l.reserveMayBlock()) { // embedded journal: a lock and a queued record, cheaper than a worker hop
      try {
        reserved(ex, l, l.reserve(debitId, ex.tenant(), ex.model(), cost, AFTER_THIS_TASK), rows);
        return null;
      } catch (PrivacyLedgerException | RuntimeException e) {
        throw refusal(ex, e);
      }
    }
    CompletableFuture<DebitReceipt> debit = CompletableFuture.supplyAsync(() -> {
      try {
        return l.reserve(debitId, ex.tenant(), ex.model(), cost);
      } catch (PrivacyLedgerException e) {
        throw new CompletionException(e);
      }
    }, ledgerPool);
    return Future.fromCompletionStage(debit, Vertx.currentContext()).transform(ar -> {
      if (ar.succeeded()) {
        reserved(ex, l, ar.result(), rows);
        return Future.succeededFuture();
      }
      Throwable t = ar.cause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : ar.cause();
      return Future.failedFuture(refusal(ex, t));
    });
  }

  private void reserved(Exchange ex, PrivacyLedger l, DebitReceipt r, int rows) {
    ex.put(DEBIT, new Debit(l, r));
    ex.verdict(name(), StageVerdict.PASS, "debited rho=" + r.cost().rho() + " for " + rows + " row(s)");
  }

  private StageRejection refusal(Exchange ex, Throwable t) {
    if (t instanceof PrivacyBudgetExhaustedException e) {
      headers(ex.request().response(), e.status());
      return new StageRejection(429, "privacy_budget_exhausted",
          "privacy budget exhausted (" + e.cap().name().toLowerCase(Locale.ROOT) + " cap) for tenant '"
              + ex.tenant() + "' on model '" + ex.model() + "'");
    }
    if (t instanceof StageRejection r) {
      return r;
    }
    return unavailable();
  }

  private static StageRejection unavailable() {
    return new StageRejection(503, "privacy_ledger_unavailable",
        "the privacy budget ledger is unavailable; refusing rather than answering unaccounted");
  }

  /**
   * Holds a noisy answer until its debit is durable (the journal's fsync, started when it was reserved,
   * ran while the model computed). Failure: 503 and nothing released; the debit stays spent.
   */
  @Override
  public Future<Void> beforeRelease(Exchange ex) {
    Debit d = ex.get(DEBIT);
    if (d == null || !d.receipt().released()) {
      return null; // no noisy output produced: nothing leaves that needs accounting
    }
    CompletionStage<Void> durable;
    try {
      durable = d.ledger().whenDurable(d.receipt());
    } catch (RuntimeException e) {
      return Future.failedFuture(unavailable());
    }
    CompletableFuture<Void> now = durable.toCompletableFuture();
    if (now.isDone() && !now.isCompletedExceptionally()) {
      return null;
    }
    return Future.fromCompletionStage(durable, Vertx.currentContext())
        .recover(t -> Future.failedFuture(unavailable()));
  }

  private static int rows(InferenceMessage m) {
    long[] shape = m.tensors().get(0).shape();
    return shape.length >= 2 ? (int) Math.max(1, shape[0]) : 1;
  }

  @Override
  public void onResponse(Exchange ex) {
    InferenceMessage out = ex.responseInference();
    if (out == null) {
      return;
    }
    Debit debit = ex.get(DEBIT);
    DebitReceipt receipt = debit == null ? null : debit.receipt();
    int paidRows = receipt == null ? Integer.MAX_VALUE : (int) (receipt.cost().micros()
        / Math.max(1, mechanism.costPerRow().micros()));
    try {
      for (Tensor t : out.tensors()) {
        boolean covered = (outputs.isEmpty() || outputs.contains(t.name()))
            && t.datatype() != DataType.BYTES;
        if (!covered) {
          if (mechanism.isDp()) {
            // an output released without noise (a clean label, logits next to the noisy probabilities) would
            // void the guarantee the budget accounts for: fail closed
            throw new StageRejection(502, "privacy_output_unprotected", "the model answered output '" + t.name()
                + "', which the route's privacy mechanism does not cover: nothing is released");
          }
          continue;
        }
        double[] v = t.toDoubles();
        long[] shape = t.shape();
        int width = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        int rowCount = width == 0 ? 0 : v.length / width;
        if (mechanism.isDp() && rowCount > paidRows) {
          throw new StageRejection(502, "privacy_output_mismatch", "the model answered " + rowCount
              + " rows, the request paid for " + paidRows + ": nothing is released");
        }
        for (int r = 0; r < rowCount; r++) {
          double[] row = java.util.Arrays.copyOfRange(v, r * width, (r + 1) * width);
          double[] released;
          try {
            released = mechanism.apply(row);
          } catch (IllegalArgumentException e) {
            throw new StageRejection(502, "privacy_output_mismatch", "output '" + t.name() + "' does not fit the "
                + "route's privacy mechanism (" + e.getMessage() + "): nothing is released");
          }
          System.arraycopy(released, 0, v, r * width, width);
        }
        t.setDoubles(v);
      }
    } catch (NoiseUnavailableException e) {
      throw new StageRejection(503, "privacy_noise_unavailable", "no noise available; nothing is released");
    }
    HttpServerResponse resp = ex.request().response();
    if (receipt != null) {
      receipt.markReleased();
      headers(resp, receipt.status());
    }
    resp.putHeader("Warden-Privacy-Mechanism", mechanism.isDp() ? "dp" : "coarsening-not-dp");
  }

  @Override
  public void onFinish(Exchange ex, int status) {
    Debit debit = ex.get(DEBIT);
    if (debit == null) {
      return;
    }
    DebitReceipt receipt = debit.receipt();
    if (!receipt.released()) {
      ledgerPool.execute(() -> {
        try {
          debit.ledger().refund(receipt);
        } catch (PrivacyLedgerException | RuntimeException e) {
          // the budget stays spent: the safe direction
        }
      });
      return;
    }
    InputDigest digest = ex.get(InputDigests.DIGEST);
    if (status == 200 && digest != null && ex.responseBody() != null) {
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      String ct = ex.responseHeaders() == null ? null : ex.responseHeaders().get("Content-Type");
      if (ct != null) {
        h.set("Content-Type", ct);
      }
      String hl = ex.responseHeaders() == null ? null : ex.responseHeaders().get("Inference-Header-Content-Length");
      if (hl != null) {
        h.set("Inference-Header-Content-Length", hl);
      }
      MultiMap sent = ex.request().response().headers();
      for (String k : new String[] {SPENT, REMAINING, "Warden-Privacy-Mechanism"}) {
        if (sent.get(k) != null) {
          h.set(k, sent.get(k));
        }
      }
      cache.putIfAbsent(ex.tenant(), ex.model(), digest.bytes(), new CachedAnswer(h, ex.responseBody().copy()));
    }
  }

  static void headers(HttpServerResponse resp, BudgetStatus s) {
    resp.putHeader(SPENT, sixDecimals(s.epsilonSpent()));
    resp.putHeader(REMAINING, sixDecimals(s.epsilonRemaining()));
  }

  /** {@code String.format(ROOT, "%.6f", v)} (the same half-up rounding of the shortest decimal), 5–10× cheaper. */
  static String sixDecimals(double v) {
    if (!Double.isFinite(v)) {
      return String.format(Locale.ROOT, "%.6f", v);
    }
    return new java.math.BigDecimal(Double.toString(v)).setScale(6, java.math.RoundingMode.HALF_UP).toPlainString();
  }
}
