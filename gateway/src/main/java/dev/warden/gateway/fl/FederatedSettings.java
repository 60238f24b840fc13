package dev.warden.gateway.fl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.crypto.secagg.FixedPointEncoding;
import dev.warden.crypto.secagg.Phase;
import dev.warden.crypto.secagg.Ring;
import dev.warden.crypto.secagg.RoundSpec;
import dev.warden.crypto.secagg.SecAggException;
import dev.warden.crypto.secagg.SigningKey;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy's {@code spec.federated} section, read from {@link GatewayPolicy#raw()} and checked once per
 * policy load: enrolled cohort (name + Ed25519 public key read from its file), tenants that may create
 * rounds, call the phase endpoints and read aggregates, minimum survivors, vector length or encoding,
 * per-phase timeouts and the state directory. Immutable.
 *
 * <p>A round copies everything it needs from the policy at creation ({@link #spec(String)}), so a reload
 * that changes the cohort affects only rounds created afterwards.
 */
public final class FederatedSettings {
  /** Pointer of the section in the policy. */
  public static final String POINTER = "/spec/federated";
  private static final Map<String, Phase> TIMEOUT_KEYS = Map.of("advertiseKeys", Phase.ADVERTISE_KEYS,
      "shareKeys", Phase.SHARE_KEYS, "maskedInput", Phase.MASKED_INPUT, "consistencyCheck", Phase.CONSISTENCY_CHECK,
      "unmask", Phase.UNMASK);

  private final List<String> names;
  private final List<byte[]> keys;
  private final Set<String> creators;
  private final Optional<Set<String>> participants;
  private final Set<String> readers;
  private final int minSurvivors;
  private final int vectorLength;
  private final FixedPointEncoding encoding;
  private final int modelLength;
  private final Ring ring;
  private final double dropoutFraction;
  private final double corruptionFraction;
  private final String label;
  private final Map<Phase, Duration> timeouts;
  private final Path stateDir;
  private final double dpDelta;
  /** δ well below 1/(number of records) for any realistic federation; the policy may lower it. */
  static final double DEFAULT_DP_DELTA = 1e-6;

  private FederatedSettings(List<String> names, List<byte[]> keys, Set<String> creators, Optional<Set<String>> participants,
      Set<String> readers, int minSurvivors, int vectorLength, FixedPointEncoding encoding, int modelLength, Ring ring,
      double dropoutFraction, double corruptionFraction, String label, Map<Phase, Duration> timeouts, Path stateDir,
      double dpDelta) {
    this.names = names;
    this.keys = keys;
    this.creators = creators;
    this.participants = participants;
    this.readers = readers;
    this.minSurvivors = minSurvivors;
    this.vectorLength = vectorLength;
    this.encoding = encoding;
    this.modelLength = modelLength;
    this.ring = ring;
    this.dropoutFraction = dropoutFraction;
    this.corruptionFraction = corruptionFraction;
    this.label = label;
    this.timeouts = timeouts;
    this.stateDir = stateDir;
    this.dpDelta = dpDelta;
  }

  /**
   * Reads the section; empty when the policy has none. Problems (unreadable or malformed key files, a
   * minimum above the cohort size, a cohort the library refuses) go to {@code problems}, located in the
   * policy file, and the result is then empty.
   */
  public static Optional<FederatedSettings> read(GatewayPolicy policy, List<PolicyProblem> problems) {
    JsonNode f = policy.raw().path("spec").path("federated");
    if (f.isMissingNode() || f.isNull()) {
      return Optional.empty();
    }
    int before = problems.size();
    Path base = policy.source().toAbsolutePath().getParent();
    List<String> names = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    JsonNode cohort = f.path("cohort");
    for (int i = 0; i < cohort.size(); i++) {
      JsonNode m = cohort.get(i);
      String ptr = POINTER + "/cohort/" + i;
      String name = m.path("name").asText();
      if (names.contains(name)) {
        problems.add(policy.problemAt(ptr + "/name", "cohort member '" + name + "' is listed twice"));
      }
      names.add(name);
      Path file = resolve(base, m.path("publicKeyFile").asText());
      try {
        byte[] raw = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
        if (raw.length != SigningKey.PUBLIC_KEY_BYTES) {
          problems.add(policy.problemAt(ptr + "/publicKeyFile", file + " holds " + raw.length
              + " bytes; an Ed25519 public key is 32 (base64, as written by 'warden fl-client keygen')"));
        }
        keys.add(raw);
      } catch (IOException e) {
        problems.add(policy.problemAt(ptr + "/publicKeyFile", "cannot read Ed25519 public key " + file + ": " + e.getMessage()));
        keys.add(new byte[0]);
      } catch (IllegalArgumentException e) {
        problems.add(policy.problemAt(ptr + "/publicKeyFile", file + " is not base64: " + e.getMessage()));
        keys.add(new byte[0]);
      }
    }
    Set<String> tenants = new LinkedHashSet<>();
    policy.tenants().forEach(t -> tenants.add(t.id()));
    Set<String> creators = tenantList(policy, f, "creators", tenants, problems);
    Set<String> readers = tenantList(policy, f, "readers", tenants, problems);
    Optional<Set<String>> participants = f.has("participants")
        ? Optional.of(tenantList(policy, f, "participants", tenants, problems)) : Optional.empty();
    int min = f.path("minSurvivors").asInt();
    if (min > names.size()) {
      problems.add(policy.problemAt(POINTER + "/minSurvivors", "minSurvivors " + min + " exceeds the cohort size " + names.size()));
    }
    FixedPointEncoding enc = null;
    int modelLength = 0;
    int vectorLength = f.path("vectorLength").asInt(0);
    if (f.has("encoding")) {
      JsonNode e = f.get("encoding");
      try {
        enc = e.has("l2Clip")
            ? new FixedPointEncoding(e.get("clip").asDouble(), e.get("bits").asInt(), e.path("weighted").asBoolean(false),
                e.path("clientNoiseSigma").asDouble(0), e.get("l2Clip").asDouble())
            : new FixedPointEncoding(e.get("clip").asDouble(), e.get("bits").asInt(), e.path("weighted").asBoolean(false),
                e.path("clientNoiseSigma").asDouble(0));
        modelLength = e.get("modelLength").asInt();
        vectorLength = enc.vectorLength(modelLength);
      } catch (SecAggException ex) {
        problems.add(policy.problemAt(POINTER + "/encoding", ex.getMessage()));
      }
    }
    Ring ring = switch (f.path("ring").asText("")) {
      case "z2_32" -> Ring.Z2_32;
      case "z2_64" -> Ring.Z2_64;
      default -> null;
    };
    Map<Phase, Duration> timeouts = new java.util.EnumMap<>(Phase.class);
    JsonNode t = f.path("timeouts");
    Duration dflt = RoundSpec.DEFAULT_TIMEOUT;
    if (t.has("default")) {
      dflt = duration(policy, POINTER + "/timeouts/default", t.get("default").asText(), problems);
    }
    for (Phase p : Phase.values()) {
      timeouts.put(p, dflt);
    }
    for (var e : TIMEOUT_KEYS.entrySet()) {
      if (t.has(e.getKey())) {
        timeouts.put(e.getValue(), duration(policy, POINTER + "/timeouts/" + e.getKey(), t.get(e.getKey()).asText(), problems));
      }
    }
    Path stateDir = f.has("stateDir") ? resolve(base, f.get("stateDir").asText()) : policy.state().dir().resolve("federated");
    FederatedSettings s = new FederatedSettings(List.copyOf(names), List.copyOf(keys), creators, participants, readers, min,
        vectorLength, enc, modelLength, ring, f.path("dropoutFraction").asDouble(0.1), f.path("corruptionFraction").asDouble(0.1),
        f.path("label").asText(null), Map.copyOf(timeouts), stateDir, f.path("encoding").path("delta").asDouble(DEFAULT_DP_DELTA));
    if (problems.size() == before) {
      try {
        s.spec("policy-check"); // the library's own checks (cohort keys distinct, thresholds derivable, ...)
        dev.warden.crypto.secagg.ThresholdParameters.derive(names.size(), s.dropoutFraction, s.corruptionFraction);
      } catch (SecAggException e) {
        problems.add(policy.problemAt(POINTER, "federated rounds cannot be created with these settings: " + e.getMessage()));
      }
    }
    return problems.size() == before ? Optional.of(s) : Optional.empty();
  }

  private static Path resolve(Path base, String p) {
    Path path = Path.of(p);
    return path.isAbsolute() ? path : base.resolve(path).normalize();
  }

  private static Set<String> tenantList(GatewayPolicy policy, JsonNode f, String key, Set<String> tenants,
      List<PolicyProblem> problems) {
    Set<String> out = new LinkedHashSet<>();
    JsonNode list = f.path(key);
    for (int i = 0; i < list.size(); i++) {
      String id = list.get(i).asText();
      if (!tenants.contains(id)) {
        problems.add(policy.problemAt(POINTER + "/" + key + "/" + i, "no tenant '" + id + "' in spec.tenants"));
      }
      out.add(id);
    }
    return Set.copyOf(out);
  }

  private static Duration duration(GatewayPolicy policy, String ptr, String text, List<PolicyProblem> problems) {
    try {
      Duration d = Duration.parse(text);
      if (d.isZero() || d.isNegative()) {
        problems.add(policy.problemAt(ptr, "a phase timeout must be positive"));
        return RoundSpec.DEFAULT_TIMEOUT;
      }
      return d;
    } catch (DateTimeParseException e) {
      problems.add(policy.problemAt(ptr, "not an ISO-8601 duration (e.g. PT30S): " + text));
      return RoundSpec.DEFAULT_TIMEOUT;
    }
  }

  /** The library's description of a new round with this id, copied from the policy as it is now. */
  public RoundSpec spec(String roundId) {
    RoundSpec.Builder b = RoundSpec.builder().roundId(roundId).minSurvivors(minSurvivors)
        .dropoutFraction(dropoutFraction).corruptionFraction(corruptionFraction);
    if (label != null) {
      b.label(label);
    }
    for (int i = 0; i < names.size(); i++) {
      b.member(names.get(i), keys.get(i));
    }
    if (encoding != null) {
      b.encoding(encoding, modelLength);
    } else {
      b.vectorLength(vectorLength);
    }
    if (ring != null) {
      b.ring(ring);
    }
    timeouts.forEach(b::timeout);
    readers.forEach(b::reader);
    return b.build();
  }

  public boolean mayCreate(String tenant) {
    return creators.contains(tenant);
  }

  /** Phase endpoints, config and status: the listed participants (default every tenant), creators and readers. */
  public boolean mayParticipate(String tenant) {
    return participants.map(p -> p.contains(tenant) || creators.contains(tenant) || readers.contains(tenant)).orElse(true);
  }

  public Path stateDir() {
    return stateDir;
  }

  public int cohortSize() {
    return names.size();
  }

  /** The δ at which a noisy round's (ε, δ) guarantee is reported (policy {@code encoding.delta}). */
  public double dpDelta() {
    return dpDelta;
  }
}
