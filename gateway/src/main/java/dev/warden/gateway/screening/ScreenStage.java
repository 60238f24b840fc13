package dev.warden.gateway.screening;

import dev.warden.detectors.digest.InputDigest;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.screen.ScreenResult;
import dev.warden.detectors.screen.Verdict;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageAnswer;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Step 6: runs the route's screens (query-attack store, ONNX detectors, text scanners) and applies
 * the strongest action among the screens that flagged: block, throttle, silent or audit. Every
 * verdict and score goes to the audit record, every flag to
 * {@code warden_screening_flags_total{screen,action}}.
 *
 * <p>The screens run through {@link Screen#screenAsync}: the inline ones (the embedded query store,
 * the built-in autoencoder: microseconds, bounded, no I/O) on this event loop, the others on the
 * detector pool under their timeouts. When nothing was offloaded the verdicts are applied at once and
 * the request continues on the event loop with no hand-off; otherwise the verdicts come back to the
 * request's context.
 */
final class ScreenStage implements Stage {
  private final String route;
  private final Screen screen;
  private final Map<String, ScreenAction> actions;
  private final Mode mode;
  private final Screening shared;
  private final GatewayMetrics metrics;
  private final boolean silent;

  ScreenStage(String route, Screen screen, Map<String, ScreenAction> actions, Mode mode, Screening shared,
      GatewayMetrics metrics) {
    this.route = route;
    this.screen = screen;
    this.actions = Map.copyOf(actions);
    this.mode = mode;
    this.shared = shared;
    this.metrics = metrics;
    this.silent = actions.containsValue(ScreenAction.SILENT);
  }

  @Override
  public Phase phase() {
    return Phase.SCREEN;
  }

  @Override
  public String name() {
    return "screen";
  }

  @Override
  public boolean rewritesResponse() {
    return silent; // to remember this tenant's last answer for replay
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    long wait = shared.throttledFor(ex.tenant(), route);
    if (wait > 0 && mode == Mode.ENFORCE) {
      long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
      ex.request().response().putHeader("Retry-After", Long.toString(seconds));
      throw new StageRejection(429, "rate_limited", "too many requests; retry later");
    }
    ScreenInput input = input(ex);
    if (input == null) {
      return null;
    }
    InputDigest digest = ex.get(InputDigests.DIGEST);
    CompletableFuture<ScreenResult> cf = screen.screenAsync(input, digest).toCompletableFuture();
    if (cf.isDone()) {
      apply(ex, cf.join()); // every screen ran inline (or came from the cache): no hand-off
      return null;
    }
    return Future.fromCompletionStage(cf, Vertx.currentContext()).map(result -> {
      apply(ex, result);
      return null;
    });
  }

  private ScreenInput input(Exchange ex) {
    if (ex.inference() != null) {
      return ScreenInput.ofTensors(ex.tenant(), route, ex.model(), InputDigests.tensors(ex));
    }
    if (ex.chat() != null) {
      return ScreenInput.ofText(ex.tenant(), route, ex.model(), String.join("\n", ex.chat().texts()));
    }
    return null;
  }

  private void apply(Exchange ex, ScreenResult result) {
    ScreenAction strongest = null;
    Verdict cause = null;
    for (Verdict v : result.verdicts()) {
      String detail = (Double.isNaN(v.score()) ? "" : String.format(java.util.Locale.ROOT, "score=%.4g ", v.score()))
          + (v.reason() == null ? "" : v.reason());
      if (!v.flagged()) {
        ex.verdict("screen:" + v.screen(), StageVerdict.PASS, detail.strip());
        continue;
      }
      ScreenAction a = mode == Mode.AUDIT ? ScreenAction.AUDIT : actions.getOrDefault(v.screen(), ScreenAction.BLOCK);
      ex.verdict("screen:" + v.screen(), StageVerdict.FLAG, (a.wire() + " " + detail).strip());
      metrics.screeningFlag(v.screen(), a.wire());
      if (strongest == null || a.ordinal() < strongest.ordinal()) {
        strongest = a;
        cause = v;
      }
    }
    if (strongest == null || strongest == ScreenAction.AUDIT) {
      return;
    }
    String why = "input rejected by screen '" + cause.screen() + "'";
    switch (strongest) {
      case BLOCK -> throw new StageRejection(403, "input_rejected", why);
      case THROTTLE -> {
        long wait = shared.penalise(ex.tenant(), route);
        // round up: the back-off just started, so a floor would announce 1 s less than the window (1, 1, 3, 7...)
        ex.request().response().putHeader("Retry-After", Long.toString(Math.max(1, (wait + 999_999_999L) / 1_000_000_000L)));
        throw new StageRejection(429, "rate_limited", "too many requests; retry later");
      }
      case SILENT -> {
        Screening.LastAnswer last = shared.lastAnswer(ex.tenant(), route);
        if (last != null) {
          throw new StageAnswer(200, last.headers(), last.body());
        }
        ex.verdict("screen", StageVerdict.FLAG, "silent: no earlier answer to replay, served");
      }
      default -> { }
    }
  }

  /**
   * Remembers the answer as it will be sent, just before it leaves: in {@code onResponse} the body would
   * still be the backend's own (stages re-encode it afterwards, e.g. with DP noise), and the hooks of later
   * stages (the privacy ledger's durability) have run by now. Replaying either earlier state would release
   * what was never released.
   */
  @Override
  public Future<Void> beforeRelease(Exchange ex) {
    if (silent && ex.responseStatus() == 200 && ex.responseBody() != null) {
      shared.rememberAnswer(ex.tenant(), route, ex.responseHeaders(), ex.responseBody());
    }
    return null;
  }

  static List<String> names(Map<String, ScreenAction> actions) {
    return List.copyOf(actions.keySet());
  }
}
