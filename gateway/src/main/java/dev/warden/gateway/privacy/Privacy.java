package dev.warden.gateway.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.crypto.dp.ExponentialMechanism;
import dev.warden.crypto.dp.JournalPrivacyLedger;
import dev.warden.crypto.dp.ModelBudgetPolicy;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.NoisyResponseCache;
import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyLedger;
import dev.warden.crypto.dp.RedisLedgerConfig;
import dev.warden.crypto.dp.RedisPrivacyLedger;
import dev.warden.gateway.state.RedisTarget;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.gateway.screening.Screening;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.Route;
import dev.warden.policies.Specs.State;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The output-privacy capability: builds each route's privacy stage from its {@code privacy:} section
 * and owns what must outlive a reload — the budget ledger (embedded journal in {@code state.dir}, or
 * Redis for several replicas), the noise pools, and the noisy-answer cache.
 *
 * <p>Budgets are per tenant per model and per model globally, as (ε, δ) converted to zCDP caps. The
 * ledger reads each model's budget through a map replaced on every policy load.
 */
public final class Privacy implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Privacy.class.getName());
  /** Noise values kept ready per mechanism: enough for bursts; refilled by a background thread. */
  private static final int POOL_CAPACITY = 16_384;
  private final Screening screening;
  private final ExecutorService ledgerPool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "warden-privacy-ledger");
    t.setDaemon(true);
    return t;
  });
  private final NoisyResponseCache<PrivacyStage.CachedAnswer> cache = new NoisyResponseCache<>(100_000);
  private final Map<NumericMechanismParams, OutputMechanism.Noise> pools = new ConcurrentHashMap<>();
  private volatile Map<String, ModelBudgetPolicy> budgets = Map.of();
  private volatile PrivacyLedger ledger;
  private String ledgerKey;

  private final boolean checkOnly;
  private final UnaryOperator<PrivacyLedger> wrapLedger;

  /** @param checkOnly validate settings only: open no ledger, start no noise pool (for policy check) */
  public Privacy(Screening screening, boolean checkOnly) {
    this(screening, checkOnly, UnaryOperator.identity());
  }

  /** Tests: {@code wrapLedger} sees each ledger this capability opens (e.g. to hold its durability). */
  Privacy(Screening screening, boolean checkOnly, UnaryOperator<PrivacyLedger> wrapLedger) {
    this.screening = screening;
    this.checkOnly = checkOnly;
    this.wrapLedger = wrapLedger;
  }

  public StageFactory factory() {
    return new StageFactory() {
      @Override
      public Set<String> routeKeys() {
        return Set.of("privacy");
      }

      @Override
      public List<Stage> create(GatewayPolicy policy, Route route, List<PolicyProblem> problems) {
        return stageFor(policy, route, problems);
      }
    };
  }

  private synchronized List<Stage> stageFor(GatewayPolicy policy, Route route, List<PolicyProblem> problems) {
    if (route.privacy().isEmpty()) {
      return List.of();
    }
    JsonNode p = route.privacy().get();
    String ptr = route.pointer() + "/privacy";
    String kind = p.path("mechanism").asText();
    if (kind.equals("none")) {
      return List.of();
    }
    List<String> outputs = new ArrayList<>();
    p.path("outputs").forEach(o -> outputs.add(o.asText()));
    OutputMechanism m;
    try {
      m = mechanism(kind, p, ptr, policy, problems);
    } catch (IllegalArgumentException e) {
      problems.add(policy.problemAt(ptr, e.getMessage()));
      return List.of();
    }
    if (m == null) {
      return List.of();
    }
    if (m.isDp()) {
      if (!p.has("budget")) {
        problems.add(policy.problemAt(ptr, "a differentially private mechanism needs a budget {epsilon, delta}"));
        return List.of();
      }
      if (route.model().equals("*")) {
        problems.add(policy.problemAt(ptr, "privacy budgets are per model: the route must name its model"));
        return List.of();
      }
      JsonNode b = p.get("budget");
      double eps = b.get("epsilon").asDouble();
      double delta = b.get("delta").asDouble();
      Optional<Duration> period = Optional.empty();
      String per = b.path("period").asText("none");
      if (!per.equals("none")) {
        period = Optional.of(per.startsWith("PT") ? Duration.parse(per)
            : per.endsWith("W") ? Duration.ofDays(7L * Long.parseLong(per.substring(1, per.length() - 1)))
            : Duration.parse(per));
      }
      ModelBudgetPolicy mbp = new ModelBudgetPolicy(PrivacyBudget.ofEpsilonDelta(eps, delta),
          PrivacyBudget.ofEpsilonDelta(b.path("globalEpsilon").asDouble(10 * eps), delta), period);
      if (checkOnly) {
        return List.of();
      }
      Map<String, ModelBudgetPolicy> next = new HashMap<>(budgets);
      next.put(route.model(), mbp);
      budgets = Map.copyOf(next);
      openLedger(policy, problems);
    }
    if (checkOnly) {
      return List.of();
    }
    return List.of(new PrivacyStage(m, outputs, () -> ledger, screening.digests(policy), cache, ledgerPool));
  }

  private OutputMechanism mechanism(String kind, JsonNode p, String ptr, GatewayPolicy policy,
      List<PolicyProblem> problems) {
    boolean probabilities = p.path("outputKind").asText("probabilities").equals("probabilities");
    switch (kind) {
      case "top-k":
        return new OutputMechanism.TopK(p.path("topK").asInt(1));
      case "rounding":
        return new OutputMechanism.Rounding(p.path("decimals").asInt(2));
      case "noisy-max": {
        double eps = required(p, "epsilonPerQuery", ptr, policy, problems);
        return Double.isNaN(eps) ? null : new OutputMechanism.NoisyMax(probabilities
            ? ExponentialMechanism.forProbabilities(eps)
            : ExponentialMechanism.create(eps, p.path("sensitivity").path("l1").asDouble(1),
                p.path("bounds").path("min").asDouble(0), p.path("bounds").path("max").asDouble(1)));
      }
      case "gaussian":
      case "laplace": {
        int dim = p.path("dimension").asInt(0);
        if (dim <= 0) {
          problems.add(policy.problemAt(ptr, kind + " needs 'dimension' (values per output row)"));
          return null;
        }
        NumericMechanismParams params;
        if (kind.equals("gaussian")) {
          double rho = p.has("rhoPerQuery") ? p.get("rhoPerQuery").asDouble()
              : p.has("epsilonPerQuery") ? Math.pow(p.get("epsilonPerQuery").asDouble(), 2) / 2 : Double.NaN;
          if (Double.isNaN(rho)) {
            problems.add(policy.problemAt(ptr, "gaussian needs rhoPerQuery or epsilonPerQuery"));
            return null;
          }
          params = probabilities ? NumericMechanismParams.probabilityVectorGaussian(dim, rho)
              : NumericMechanismParams.gaussian(dim, bound(p, "min", ptr, policy, problems),
                  bound(p, "max", ptr, policy, problems), sensitivity(p, "l2", ptr, policy, problems), rho);
        } else {
          double eps = required(p, "epsilonPerQuery", ptr, policy, problems);
          if (Double.isNaN(eps)) {
            return null;
          }
          params = probabilities ? NumericMechanismParams.probabilityVectorLaplace(dim, eps)
              : NumericMechanismParams.laplace(dim, bound(p, "min", ptr, policy, problems),
                  bound(p, "max", ptr, policy, problems), sensitivity(p, "l1", ptr, policy, problems), eps);
        }
        if (!problems.isEmpty()) {
          return null;
        }
        if (checkOnly) {
          return new OutputMechanism.Noise(NumericMechanism.create(params), null);
        }
        return pools.computeIfAbsent(params, k -> {
          NumericMechanism nm = NumericMechanism.create(k);
          return new OutputMechanism.Noise(nm, nm.startPool(POOL_CAPACITY));
        });
      }
      default:
        problems.add(policy.problemAt(ptr + "/mechanism", "unknown mechanism " + kind));
        return null;
    }
  }

  private static double required(JsonNode p, String key, String ptr, GatewayPolicy policy, List<PolicyProblem> problems) {
    if (!p.has(key)) {
      problems.add(policy.problemAt(ptr, "this mechanism needs '" + key + "'"));
      return Double.NaN;
    }
    return p.get(key).asDouble();
  }

  private static double bound(JsonNode p, String which, String ptr, GatewayPolicy policy, List<PolicyProblem> problems) {
    if (!p.path("bounds").has(which)) {
      problems.add(policy.problemAt(ptr, "values/logits need declared clamping bounds {min, max}"));
      return 0;
    }
    return p.get("bounds").get(which).asDouble();
  }

  private static double sensitivity(JsonNode p, String norm, String ptr, GatewayPolicy policy,
      List<PolicyProblem> problems) {
    if (!p.path("sensitivity").has(norm)) {
      problems.add(policy.problemAt(ptr, "values/logits need the declared sensitivity." + norm));
      return 1;
    }
    return p.get("sensitivity").get(norm).asDouble();
  }

  private void openLedger(GatewayPolicy policy, List<PolicyProblem> problems) {
    State s = policy.state();
    String key = s.store() + "|" + (s.store().equals("redis") ? RedisTarget.identityOf(s) : s.dir().toString());
    if (key.equals(ledgerKey) && ledger != null) {
      return;
    }
    try {
      PrivacyLedger next;
      if (s.store().equals("redis")) {
        RedisTarget target = RedisTarget.of(s);
        RedisLedgerConfig cfg = RedisLedgerConfig.of(target.host(), target.port()).withTls(target.socketFactory());
        if (target.password() != null) {
          cfg = cfg.withPassword(target.password());
        }
        next = RedisPrivacyLedger.create(cfg, model -> budgets.get(model));
      } else {
        Files.createDirectories(s.dir());
        next = JournalPrivacyLedger.open(s.dir().resolve("privacy.journal"), model -> budgets.get(model));
      }
      PrivacyLedger old = ledger;
      ledger = wrapLedger.apply(next);
      ledgerKey = key;
      if (old != null) {
        old.close();
      }
      LOG.info("privacy ledger: " + next);
    } catch (IOException | RuntimeException e) {
      problems.add(policy.problemAt("/spec/state", "cannot open the privacy ledger: " + e.getMessage()));
    }
  }

  @Override
  public void close() {
    ledgerPool.shutdown();
    try {
      ledgerPool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pools.values().forEach(n -> n.pool().close());
    pools.clear();
    if (ledger != null) {
      ledger.close();
    }
  }
}
