package dev.warden.gateway.trust;

import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Phase;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.policies.Specs;
import dev.warden.verifier.registry.ModelSpec;
import dev.warden.verifier.registry.ModelStatus;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Step 3: refuses (503 {@code model_untrusted}) to route to a model whose files do not match a valid
 * signature, unless the model's entry is in audit mode (then it serves and records). Reads only an
 * immutable status snapshot: verification itself runs off the request path.
 */
public final class TrustGateStage implements Stage {
  private final ModelTrust trust;
  private final boolean allowUnsigned;
  /** The policy's model entries by name: version → entry ("" for unversioned). */
  private final Map<String, Map<String, Specs.Model>> models;

  public TrustGateStage(ModelTrust trust, boolean allowUnsigned, Map<String, Map<String, Specs.Model>> models) {
    this.trust = trust;
    this.allowUnsigned = allowUnsigned;
    this.models = models;
  }

  @Override
  public Phase phase() {
    return Phase.TRUST;
  }

  @Override
  public String name() {
    return "trust-gate";
  }

  @Override
  public Future<Void> onRequest(Exchange ex) {
    Map<String, Specs.Model> versions = models.get(ex.model());
    if (versions == null) {
      if (allowUnsigned) {
        ex.verdict(name(), StageVerdict.PASS, "unsigned model allowed by route");
        return null;
      }
      throw new StageRejection(503, "model_untrusted", "model '" + ex.model() + "' has no signature requirement in "
          + "the policy (spec.models), so it is not served");
    }
    Specs.Model entry = pick(versions, ex.modelVersion());
    if (entry == null) {
      throw new StageRejection(503, "model_untrusted", ex.modelVersion() == null
          ? "model '" + ex.model() + "' has several signed versions: name one in the path (/versions/{v})"
          : "version " + ex.modelVersion() + " of model '" + ex.model() + "' is not listed in the policy");
    }
    Optional<ModelStatus> st = trust.status(entry.name(), entry.version().orElse(""));
    if (st.isPresent() && st.get().verified()) {
      ex.modelDigest(st.get().rootDigest());
      ex.verdict(name(), StageVerdict.PASS, st.get().signer());
      return null;
    }
    String why = st.map(s -> s.state().name().toLowerCase(java.util.Locale.ROOT)
        + (s.lastError() == null ? "" : ": " + s.lastError())).orElse("not yet checked");
    if (st.isPresent() && st.get().mode() == ModelSpec.Mode.AUDIT) {
      ex.verdict(name(), StageVerdict.WOULD_REJECT, why);
      return null;
    }
    throw new StageRejection(503, "model_untrusted", "model '" + ex.model() + "' is not verified (" + why + ")");
  }

  private static Specs.Model pick(Map<String, Specs.Model> versions, String requested) {
    if (requested != null) {
      Specs.Model m = versions.get(requested);
      return m != null ? m : versions.get("");
    }
    if (versions.containsKey("")) {
      return versions.get("");
    }
    return versions.size() == 1 ? versions.values().iterator().next() : null;
  }

  /** The factory registered on the gateway: one gate per OIP/TF route. */
  public static dev.warden.gateway.pipeline.StageFactory factory(ModelTrust trust) {
    return new dev.warden.gateway.pipeline.StageFactory() {
      @Override
      public java.util.Set<String> routeKeys() {
        return java.util.Set.of("models");
      }

      @Override
      public List<Stage> create(dev.warden.policies.GatewayPolicy policy, Specs.Route route,
          List<dev.warden.policies.PolicyProblem> problems) {
        if (route.protocol() == dev.warden.policies.Protocol.OPENAI) {
          return List.of();
        }
        Map<String, Map<String, Specs.Model>> byName = new java.util.HashMap<>();
        for (Specs.Model m : policy.models()) {
          byName.computeIfAbsent(m.name(), k -> new java.util.HashMap<>()).put(m.version().orElse(""), m);
        }
        return List.of(new TrustGateStage(trust, route.allowUnsignedModel(), Map.copyOf(byName)));
      }
    };
  }
}
