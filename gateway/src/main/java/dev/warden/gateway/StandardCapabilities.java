package dev.warden.gateway;

import dev.warden.gateway.fl.Federated;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.gateway.runtime.AuditLogSink;
import dev.warden.gateway.runtime.AuditSink;
import dev.warden.gateway.runtime.RuntimeCompiler;
import dev.warden.gateway.stages.BucketStore;
import dev.warden.gateway.privacy.Privacy;
import dev.warden.gateway.screening.Screening;
import dev.warden.gateway.trust.ModelTrust;
import dev.warden.gateway.trust.TrustGateStage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;

/**
 * Registers every capability this build ships on a gateway builder: the audit log, the model trust
 * gate (verifier), and the stages later capabilities add. {@code serve}, {@code demo},
 * {@code policy check} and the integration tests all go through here, so they run the same pipeline.
 */
public final class StandardCapabilities {
  private StandardCapabilities() {}

  public static Gateway.Builder install(Gateway.Builder b) {
    GatewayMetrics metrics = new GatewayMetrics();
    ModelTrust trust;
    try {
      trust = new ModelTrust(metrics);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Screening screening = new Screening(metrics, false);
    Privacy privacy = new Privacy(screening, false);
    stageFactories(trust, screening, privacy).forEach(b::stage);
    dev.warden.gateway.he.HeComputeBackend he =
        new dev.warden.gateway.he.HeComputeBackend(new java.security.SecureRandom(), System.getenv());
    b.computeBackend(dev.warden.policies.Protocol.WARDEN_HE, he).onReload(he).onClose(he);
    Federated federated = new Federated(metrics, Clock.systemUTC());
    b.stage(federated.factory()).federated(federated).onReload(federated::sync).onClose(federated);
    return b.metrics(metrics)
        .onClose(privacy)
        .onClose(screening)
        .auditOpener(AuditLogSink::open)
        .readinessCheck(trust::notReadyReason)
        .adminPage("/admin/models", trust::adminPage)
        .onReload(trust::sync)
        .onClose(trust);
  }

  /** A compiler with the same stage factories that only checks (for {@code policy check}). */
  public static RuntimeCompiler checker() {
    List<StageFactory> factories = new java.util.ArrayList<>(stageFactories(null,
        new Screening(new GatewayMetrics(), true), new Privacy(null, true)));
    factories.add(new Federated(new GatewayMetrics(), Clock.systemUTC()).factory());
    return new RuntimeCompiler(null, Clock.systemUTC(), factories, new BucketStore(), a -> AuditSink.NONE);
  }

  static List<StageFactory> stageFactories(ModelTrust trust, Screening screening, Privacy privacy) {
    return List.of(TrustGateStage.factory(trust), screening.factory(), privacy.factory());
  }
}
