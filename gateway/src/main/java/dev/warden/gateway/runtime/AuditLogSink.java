package dev.warden.gateway.runtime;

import dev.warden.gateway.audit.AuditEvent;
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.audit.AuditLog;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Specs.Audit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Locale;

/** Step 10: one hash-chained, signed audit record per exchange (see {@link AuditLog}). */
public final class AuditLogSink implements AuditSink {
  private final AuditLog log;

  private AuditLogSink(AuditLog log) {
    this.log = log;
  }

  /** Opens the policy's audit log under this replica's id ({@code WARDEN_REPLICA_ID}, else the host name). */
  public static AuditLogSink open(Audit spec) {
    try {
      AuditLog.FsyncPolicy fsync = switch (spec.fsync()) {
        case "none" -> AuditLog.FsyncPolicy.NONE;
        case "every-batch" -> AuditLog.FsyncPolicy.EVERY_BATCH;
        default -> AuditLog.FsyncPolicy.CHECKPOINT;
      };
      AuditLog.Options options = AuditLog.Options.builder(replicaId())
          .checkpointEvery(spec.checkpointEvery()).fsync(fsync).build();
      return new AuditLogSink(AuditLog.open(spec.file(), AuditKeys.readPrivateKey(spec.signingKey()), options));
    } catch (IOException e) {
      throw new UncheckedIOException("audit log " + spec.file() + ": " + e.getMessage(), e);
    }
  }

  static String replicaId() {
    String id = System.getenv("WARDEN_REPLICA_ID");
    if (id != null && !id.isBlank()) {
      return id;
    }
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      return "warden";
    }
  }

  @Override
  public void record(Exchange ex, int status, long latencyNanos) {
    AuditEvent.Builder b = AuditEvent.builder()
        .time(Instant.now())
        .requestId(ex.requestId())
        .tenant(ex.tenant())
        .route(ex.route() == null ? null : ex.route().name())
        .protocol(ex.protocol() == null ? "warden-fl" : ex.protocol().wireName())
        .model(ex.model())
        .modelVersion(ex.modelVersion())
        .modelDigest(ex.modelDigest())
        .inputDigest(ex.inputDigest())
        .compute(ex.compute())
        .status(status)
        .code(ex.errorCode())
        .latencyMs(latencyNanos / 1e6);
    for (StageVerdict v : ex.verdicts()) {
      b.stage(v.stage(), v.verdict(), v.detail());
    }
    if (ex.backend() != null) {
      b.extra("backend", ex.backend());
    }
    if (ex.usage() != null) {
      b.extra("promptTokens", ex.usage().promptTokens());
      b.extra("completionTokens", ex.usage().completionTokens());
    }
    log.append(b.build());
  }

  public AuditLog log() {
    return log;
  }

  @Override
  public void close() {
    try {
      log.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
