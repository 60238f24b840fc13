package dev.warden.gateway.screening;

import dev.warden.detectors.digest.DenyList;
import dev.warden.detectors.digest.InputDigest;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Mode;
import io.vertx.core.Future;

/**
 * Step 5: the canonical input digest (recorded in the audit trail, used by the verdict cache and the
 * privacy response cache) and the deny-list check: 403 {@code input_rejected} for a listed digest.
 */
final class DigestStage implements Stage {
  private final InputDigests digests;
  private final DenyList denyList;
  private final Mode mode;

  DigestStage(InputDigests digests, DenyList denyList, Mode mode) {
    this.digests = digests;
    this.denyList = denyList;
    this.mode = mode;
  }

  @Override
  public Phase phase() {
    return Phase.DIGEST;
  }

  @Override
  public String name() {
    return "input-digest";
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    InputDigest d = digests.of(ex);
    if (d == null || denyList == null) {
      return null;
    }
    var reason = denyList.reason(d);
    if (reason.isPresent()) {
      if (mode == Mode.AUDIT) {
        ex.verdict(name(), StageVerdict.WOULD_REJECT, "deny-listed: " + reason.get());
        return null;
      }
      ex.verdict(name(), StageVerdict.REJECT, "deny-listed");
      throw new StageRejection(403, "input_rejected", "input is on the route's deny-list");
    }
    return null;
  }
}
