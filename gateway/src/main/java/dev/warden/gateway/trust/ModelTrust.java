package dev.warden.gateway.trust;

import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.Mode;
import dev.warden.policies.Specs;
import dev.warden.verifier.IdentityPolicy;
import dev.warden.verifier.KeylessAuthority;
import dev.warden.verifier.registry.ModelSpec;
import dev.warden.verifier.registry.ModelState;
import dev.warden.verifier.registry.ModelStatus;
import dev.warden.verifier.registry.ModelTrustRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The gateway's view of model signatures: keeps the verifier's {@link ModelTrustRegistry} in step with
 * the policy's {@code spec.models} (verify at start and on every reload; the registry re-verifies on
 * file changes and on a schedule), and answers the trust gate, {@code /readyz}, {@code /admin/models}
 * and the {@code warden_model_verification_state} gauge.
 */
public final class ModelTrust implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelTrust.class.getName());

  private final ModelTrustRegistry registry;
  private final GatewayMetrics metrics;
  private final Set<String> gauges = ConcurrentHashMap.newKeySet();
  /** Routes of the loaded policy that serve a model without a signature requirement (allowUnsignedModel). */
  private volatile List<Map<String, Object>> unsignedRoutes = List.of();

  public ModelTrust(GatewayMetrics metrics) throws IOException {
    this(metrics, ModelTrustRegistry.DEFAULT_RECHECK_INTERVAL);
  }

  public ModelTrust(GatewayMetrics metrics, Duration recheck) throws IOException {
    this.registry = ModelTrustRegistry.builder().recheckInterval(recheck).build();
    this.metrics = metrics;
    registry.addListener((before, after) -> {
      if (after != null) {
        LOG.info("model " + after.key() + ": " + after.state()
            + (after.lastError() == null ? "" : " (" + after.lastError() + ")"));
      }
    });
  }

  /** Makes the registry hold exactly the policy's models; returns at once (verification runs behind). */
  public void sync(GatewayPolicy policy) {
    List<ModelSpec> specs = new ArrayList<>();
    for (Specs.Model m : policy.models()) {
      specs.add(new ModelSpec(m.name(), m.version().orElse(""), m.path(), m.signature(), authority(m.authority()),
          m.mode() == Mode.AUDIT ? ModelSpec.Mode.AUDIT : ModelSpec.Mode.ENFORCE, m.ignorePaths()));
      String key = m.name() + (m.version().isPresent() ? "@" + m.version().get() : "");
      if (metrics != null && gauges.add(key)) {
        metrics.gauge("warden_model_verification_state", "1 when the model's files match a valid signature",
            "model", key, () -> registry.status(m.name(), m.version().orElse(""))
                .map(s -> s.state() == ModelState.VERIFIED ? 1 : 0).orElse(0));
      }
    }
    registry.reload(specs);
    List<Map<String, Object>> unsigned = new ArrayList<>();
    for (Specs.Route r : policy.routes()) {
      if (r.allowUnsignedModel() && r.protocol() != dev.warden.policies.Protocol.OPENAI) {
        unsigned.add(Map.of("route", r.name(), "model", r.model()));
        LOG.warning("route '" + r.name() + "' may serve model '" + r.model() + "' without a verified signature "
            + "(allowUnsignedModel: true)");
      }
    }
    unsignedRoutes = List.copyOf(unsigned);
  }

  /** The verifier's form of a policy authority (also used for signed detector models). */
  public static ModelSpec.Authority authority(Specs.Authority a) {
    if (a instanceof Specs.KeyAuthority k) {
      return new ModelSpec.KeyPem(k.publicKey());
    }
    if (a instanceof Specs.CertificateAuthority c) {
      IdentityPolicy id = IdentityPolicy.any();
      if (c.subject().isPresent()) {
        id = IdentityPolicy.subjectEquals(c.subject().get());
      } else if (c.san().isPresent()) {
        id = IdentityPolicy.sanEquals(c.san().get());
      } else if (c.sanRegExp().isPresent()) {
        id = IdentityPolicy.sanMatches(c.sanRegExp().get());
      }
      return new ModelSpec.CertificateChain(c.chain(), id);
    }
    Specs.KeylessAuthority k = (Specs.KeylessAuthority) a;
    KeylessAuthority.Match identity = k.subject().map(KeylessAuthority.Match::exact)
        .orElseGet(() -> KeylessAuthority.Match.regex(k.subjectRegExp().orElseThrow()));
    KeylessAuthority.Match issuer = k.issuer().map(KeylessAuthority.Match::exact)
        .orElseGet(() -> KeylessAuthority.Match.regex(k.issuerRegExp().orElseThrow()));
    return new ModelSpec.Keyless(identity, issuer, k.trustedRoot());
  }

  public Optional<ModelStatus> status(String name, String version) {
    return registry.status(name, version);
  }

  /** Null when every enforce-mode model is verified, else which are not. */
  public String notReadyReason() {
    if (registry.ready()) {
      return null;
    }
    List<String> waiting = new ArrayList<>();
    for (ModelStatus s : registry.statuses()) {
      if (s.mode() == ModelSpec.Mode.ENFORCE && s.state() != ModelState.VERIFIED) {
        waiting.add(s.key() + " " + s.state().name().toLowerCase(java.util.Locale.ROOT)
            + (s.lastError() == null ? "" : ": " + s.lastError()));
      }
    }
    return "models not verified: " + String.join("; ", waiting);
  }

  /** The {@code /admin/models} page. */
  public Object adminPage() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ModelStatus s : registry.statuses()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("version", s.version());
      m.put("mode", s.mode().name().toLowerCase(java.util.Locale.ROOT));
      m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
      m.put("rootDigest", s.rootDigest());
      m.put("signer", s.signer());
      m.put("lastCheck", s.lastCheck() == null ? null : s.lastCheck().toString());
      m.put("lastError", s.lastError());
      m.put("lastErrorCode", s.lastErrorCode() == null ? null : s.lastErrorCode().name());
      out.add(m);
    }
    return Map.of("models", out, "unsignedRoutes", unsignedRoutes);
  }

  public ModelTrustRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    registry.close();
  }
}
