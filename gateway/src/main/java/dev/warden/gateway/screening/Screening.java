package dev.warden.gateway.screening;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.warden.detectors.StandardDetectors;
import dev.warden.detectors.digest.DenyList;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.detectors.screen.DetectorRegistry;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenConfig;
import dev.warden.detectors.screen.VerdictCache;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.DetectorArtifact;
import dev.warden.policies.Specs.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The screening capability (steps 5 and 6): builds each route's digest and screen stages from its
 * {@code screening:} list, and keeps what outlives a policy reload — the detector models, the global
 * query-attack stores (one per input schema, shared by all tenants, since attackers switch accounts),
 * the per-tenant verdict cache, throttle back-offs and the answers {@code silent} replays.
 *
 * <p>Policy types map to detectors: {@code query-attack-store} → Blacklight store ({@code params}:
 * window, stride, step, hashes, threshold), {@code onnx-detector} → the MagNet autoencoder trained on the
 * demo model's data, or with {@code model} an operator's signed ONNX model ({@link SignedDetectors}: loaded
 * only if its signature verifies, else the policy is refused), {@code text-scanner} → invisible/format/tag characters, {@code prompt-injection},
 * {@code near-duplicate}; {@code input-digest} → the digest and its {@code denyList} file.
 */
public final class Screening implements AutoCloseable {
  /** Throttle back-off: first flag 1 s, doubling per flag, at most a minute. */
  private static final long THROTTLE_BASE_NANOS = 1_000_000_000L;
  private static final long THROTTLE_MAX_NANOS = 60_000_000_000L;

  record LastAnswer(MultiMap headers, Buffer body) {}

  private record Penalty(long until, int count) {}

  private final GatewayMetrics metrics;
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final ExecutorService detectorPool = Screen.newExecutor(Math.max(2, cores), 1024);
  private final VerdictCache verdicts = new VerdictCache(100_000, Duration.ofMinutes(10));
  private final Map<FingerprintParams, InMemoryQueryStore> stores = new ConcurrentHashMap<>();
  private final SharedQueryStores sharedStores = new SharedQueryStores();
  private final Map<String, Penalty> penalties = new ConcurrentHashMap<>();
  private final Cache<String, LastAnswer> lastAnswers = Caffeine.newBuilder().maximumSize(10_000).build();
  private volatile StandardDetectors standard;
  private final SignedDetectors signed = new SignedDetectors();
  private volatile InputDigests digests;
  private volatile Path digestDir;

  private final boolean checkOnly;

  /** @param checkOnly validate settings only: build no detector, write no key (for policy check) */
  public Screening(GatewayMetrics metrics, boolean checkOnly) {
    this.metrics = metrics;
    this.checkOnly = checkOnly;
  }

  /** The digest service for the policy's state directory (shared with the privacy stage). */
  public synchronized InputDigests digests(GatewayPolicy policy) {
    if (digests == null || !policy.state().dir().equals(digestDir)) {
      digests = InputDigests.inStateDir(policy.state().dir());
      digestDir = policy.state().dir();
    }
    return digests;
  }

  /**
   * The shared standard detectors; the two built-in models (digits autoencoder, injection classifier)
   * are trained only when a route uses them without naming a signed model file.
   */
  private synchronized StandardDetectors standard(boolean builtInModels) throws Exception {
    if (standard == null) {
      standard = StandardDetectors.withoutModels(StandardDetectors.Options.digitsDemo());
      warmUp(standard);
    }
    if (builtInModels && !standard.hasModels()) {
      standard.trainModels();
      warmUp(standard);
    }
    return standard;
  }

  /**
   * Runs each stateless detector once, so the first real request does not pay ONNX Runtime's and the
   * JIT's first-call cost against its timeout (the query stores are left alone: a warm-up query would
   * become a stored fingerprint).
   */
  private static void warmUp(StandardDetectors std) {
    dev.warden.detectors.screen.ScreenInput image = dev.warden.detectors.screen.ScreenInput.ofTensors("warden-warm-up",
        "", "", List.of(dev.warden.detectors.digest.Tensor.ofFloats("input", new long[] {1, 64}, new float[64])));
    dev.warden.detectors.screen.ScreenInput text = dev.warden.detectors.screen.ScreenInput.ofText("warden-warm-up",
        "", "", "warming up the text screens");
    for (String name : List.of(StandardDetectors.AUTOENCODER, StandardDetectors.INVISIBLE_CHARS,
        StandardDetectors.PROMPT_INJECTION)) {
      if (!std.registry().names().contains(name)) {
        continue;
      }
      var d = std.registry().get(name);
      for (int i = 0; i < 20; i++) {
        try {
          d.detect(d.accepts(image) ? image : text, d.defaultThreshold());
        } catch (Exception e) {
          break; // a failing detector shows up on real requests, with its onError
        }
      }
    }
  }

  long throttledFor(String tenant, String route) {
    Penalty p = penalties.get(tenant + '\u0000' + route);
    return p == null ? 0 : Math.max(0, p.until() - System.nanoTime());
  }

  long penalise(String tenant, String route) {
    Penalty p = penalties.compute(tenant + '\u0000' + route, (k, old) -> {
      int count = old == null ? 1 : old.count() + 1;
      long wait = Math.min(THROTTLE_MAX_NANOS, THROTTLE_BASE_NANOS << Math.min(count - 1, 6));
      return new Penalty(System.nanoTime() + wait, count);
    });
    return p.until() - System.nanoTime();
  }

  LastAnswer lastAnswer(String tenant, String route) {
    return lastAnswers.getIfPresent(tenant + '\u0000' + route);
  }

  void rememberAnswer(String tenant, String route, MultiMap headers, Buffer body) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    // the headers that make the body what it is: without the OIP binary header length a replayed binary
    // answer is unparseable, which would tell the attacker it was flagged
    for (String name : new String[] {"Content-Type", "Inference-Header-Content-Length"}) {
      String v = headers == null ? null : headers.get(name);
      if (v != null) {
        h.set(name, v);
      }
    }
    lastAnswers.put(tenant + '\u0000' + route, new LastAnswer(h, body.copy()));
  }

  /** The stage factory registered on the gateway. */
  public StageFactory factory() {
    return new StageFactory() {
      @Override
      public Set<String> routeKeys() {
        return Set.of("screening");
      }

      @Override
      public List<Stage> create(GatewayPolicy policy, Route route, List<PolicyProblem> problems) {
        return stagesFor(policy, route, problems);
      }
    };
  }

  private List<Stage> stagesFor(GatewayPolicy policy, Route route, List<PolicyProblem> problems) {
    if (route.screening().isEmpty()) {
      return List.of();
    }
    DenyList deny = null;
    List<ScreenConfig> configs = new ArrayList<>();
    Map<String, ScreenAction> actions = new LinkedHashMap<>();
    Map<String, FingerprintParams> storeParams = new HashMap<>();
    Map<String, Integer> operators = new LinkedHashMap<>();
    boolean builtInModels = false;
    for (int i = 0; i < route.screening().size(); i++) {
      JsonNode s = route.screening().get(i);
      String ptr = route.pointer() + "/screening/" + i;
      String type = s.path("type").asText();
      JsonNode params = s.path("params");
      if (type.equals("input-digest")) {
        if (s.has("denyList")) {
          Path file = Path.of(s.get("denyList").asText());
          if (!file.isAbsolute()) {
            file = policy.source().toAbsolutePath().getParent().resolve(file);
          }
          try {
            deny = DenyList.load(file);
          } catch (IOException | RuntimeException e) {
            problems.add(policy.problemAt(ptr + "/denyList", "cannot load deny-list: " + e.getMessage()));
          }
        }
        continue;
      }
      String name = switch (type) {
        case "query-attack-store" -> StandardDetectors.QUERY_STORE;
        case "onnx-detector" -> StandardDetectors.AUTOENCODER;
        case "text-scanner" -> StandardDetectors.INVISIBLE_CHARS;
        case "prompt-injection" -> StandardDetectors.PROMPT_INJECTION;
        case "near-duplicate" -> StandardDetectors.NEAR_DUPLICATE;
        default -> null;
      };
      if (name == null) {
        problems.add(policy.problemAt(ptr + "/type", "unknown screen type " + type));
        continue;
      }
      DetectorArtifact artifact = artifactAt(route, i);
      if (artifact != null) {
        name = SignedDetectors.nameOf(s, artifact);
        operators.put(name, i);
      } else if (type.equals("onnx-detector") || type.equals("prompt-injection")) {
        builtInModels = true;
      }
      if (type.equals("query-attack-store") && params.size() > 0 && !(params.size() == 1 && params.has("threshold"))) {
        try {
          FingerprintParams d = FingerprintParams.DIGITS_8X8;
          storeParams.put(name, new FingerprintParams((float) params.path("step").asDouble(d.step()),
              params.path("window").asInt(d.window()), params.path("stride").asInt(d.stride()),
              params.path("hashes").asInt(d.topS()), params.path("threshold").asInt(d.threshold()),
              (float) params.path("saltRange").asDouble(d.saltRange()), params.path("denoiseWidth").asInt(d.denoiseWidth())));
        } catch (IllegalArgumentException e) {
          problems.add(policy.problemAt(ptr + "/params", e.getMessage()));
          continue;
        }
      }
      if (actions.containsKey(name)) {
        problems.add(policy.problemAt(ptr + "/type", "screen " + type + " is listed twice on this route"));
        continue;
      }
      Double threshold = params.has("threshold") && !type.equals("query-attack-store")
          ? params.get("threshold").asDouble() : null;
      try {
        configs.add(ScreenConfig.of(name, threshold, s.has("timeoutMs") ? s.get("timeoutMs").asLong() : null,
            s.path("onError").asText("fail-closed")));
      } catch (IllegalArgumentException e) {
        problems.add(policy.problemAt(ptr, e.getMessage()));
        continue;
      }
      actions.put(name, ScreenAction.parse(s.path("action").asText("block")));
    }
    List<Stage> stages = new ArrayList<>();
    if (checkOnly) {
      // policy check: an operator detector that serving would refuse is a problem now, at its entry
      for (int i : operators.values()) {
        String ptr = route.pointer() + "/screening/" + i + "/model";
        SignedDetectors.checkSignature(artifactAt(route, i)).ifPresent(why -> problems.add(policy.problemAt(ptr, why)));
      }
      return stages;
    }
    if (problems.isEmpty()) {
      stages.add(new DigestStage(digests(policy), deny, route.mode()));
    }
    if (configs.isEmpty() || !problems.isEmpty()) {
      return stages;
    }
    DetectorRegistry registry = new DetectorRegistry();
    for (Map.Entry<String, Integer> op : operators.entrySet()) {
      int i = op.getValue();
      String ptr = route.pointer() + "/screening/" + i;
      try {
        registry.register(op.getKey(), signed.load(route.screening().get(i), artifactAt(route, i)).detector());
      } catch (SecurityException e) {
        problems.add(policy.problemAt(ptr + "/model", e.getMessage()));
      } catch (Exception e) {
        problems.add(policy.problemAt(ptr + "/model", "cannot load detector model: " + e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      return stages;
    }
    try {
      StandardDetectors std = standard(builtInModels);
      for (String n : std.registry().names()) {
        if (!storeParams.containsKey(n) && !operators.containsKey(n)) {
          registry.register(n, std.registry().get(n));
        }
      }
      if (policy.state().store().equals("redis") && actions.containsKey(StandardDetectors.QUERY_STORE)) {
        storeParams.putIfAbsent(StandardDetectors.QUERY_STORE, StandardDetectors.Options.digitsDemo().imageParams());
      }
      storeParams.forEach((n, p) -> registry.register(n, queryDetector(policy, p)));
      Screen screen = new Screen(configs, registry, detectorPool, verdicts);
      stages.add(new ScreenStage(route.name(), screen, actions, route.mode(), this, metrics));
    } catch (Exception e) {
      problems.add(policy.problemAt(route.pointer() + "/screening", "cannot build the screens: " + e));
    }
    return stages;
  }

  /** The query-attack detector for {@code p}: shared by the replicas through Redis with state.store redis. */
  private QueryAttackDetector queryDetector(GatewayPolicy policy, FingerprintParams p) {
    if (policy.state().store().equals("redis")) {
      try {
        return sharedStores.detector(policy.state(), p);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("the shared query store in Redis is unavailable: " + e.getMessage(), e);
      }
    }
    return new QueryAttackDetector(Fingerprinter.create(p),
        stores.computeIfAbsent(p, k -> InMemoryQueryStore.create(100_000, k, Duration.ofHours(1))));
  }

  private static DetectorArtifact artifactAt(Route route, int screen) {
    for (DetectorArtifact a : route.detectorModels()) {
      if (a.screen() == screen) {
        return a;
      }
    }
    return null;
  }

  @Override
  public void close() throws Exception {
    sharedStores.close();
    signed.close();
    detectorPool.shutdownNow();
    if (standard != null) {
      standard.close();
    }
  }
}
