package dev.warden.gateway.runtime;

import dev.warden.gateway.auth.Authenticator;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.gateway.stages.ParseStage;
import dev.warden.gateway.stages.RateLimitStage;
import dev.warden.gateway.stages.RedisBuckets;
import dev.warden.gateway.state.RedisTarget;
import dev.warden.gateway.upstream.BackendClient;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyException;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.Audit;
import dev.warden.policies.Specs.Backend;
import dev.warden.policies.Specs.Route;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.warden.gateway.stages.BucketStore;
import java.util.function.Function;

/**
 * Turns a {@link GatewayPolicy} into a {@link PolicyRuntime}: reads key material, builds each route's
 * stages from the registered {@link StageFactory}s and orders them by phase, and reuses backend
 * clients and the audit log whose settings did not change (so a reload keeps pooled connections and
 * the audit chain). All problems are collected and thrown together, located in the policy file.
 *
 * <p>Not thread-safe: the gateway compiles on its single reload thread.
 */
public final class RuntimeCompiler {
  private final Vertx vertx;
  private final Clock clock;
  private final List<StageFactory> factories;
  private final BucketStore buckets;
  private final Function<Audit, AuditSink> auditOpener;
  private final Map<Backend, BackendClient> clients = new HashMap<>();
  private RedisBuckets sharedBuckets;
  private Audit auditSpec;
  private AuditSink audit = AuditSink.NONE;

  public RuntimeCompiler(Vertx vertx, Clock clock, List<StageFactory> factories,
      BucketStore buckets, Function<Audit, AuditSink> auditOpener) {
    this.vertx = vertx;
    this.clock = clock;
    this.factories = List.copyOf(factories);
    this.buckets = buckets;
    this.auditOpener = auditOpener;
  }

  /** Validates and builds without keeping anything (for {@code policy check} and dry runs). */
  public List<PolicyProblem> check(GatewayPolicy policy, boolean readKeys) {
    List<PolicyProblem> problems = new ArrayList<>();
    if (readKeys) {
      Authenticator.build(policy, clock, problems);
    }
    for (Route r : policy.routes()) {
      stagesFor(policy, r, problems);
    }
    return problems;
  }

  public PolicyRuntime compile(GatewayPolicy policy) throws PolicyException {
    List<PolicyProblem> problems = new ArrayList<>();
    Authenticator auth = Authenticator.build(policy, clock, problems);
    List<RouteRuntime> routes = new ArrayList<>();
    RedisBuckets shared = sharedBuckets(policy, problems);
    for (Route r : policy.routes()) {
      List<Stage> stages = stagesFor(policy, r, problems);
      if (r.rateLimit().isPresent()) {
        stages.add(new RateLimitStage(r.name(), r.rateLimit().get(), r.mode(), buckets, System::nanoTime, shared));
      }
      stages.add(new ParseStage(r.limits().maxBodyBytes()));
      stages.sort(Comparator.comparing(Stage::phase));
      boolean rewrites = stages.stream().anyMatch(Stage::rewritesResponse);
      routes.add(new RouteRuntime(r, List.copyOf(stages), rewrites));
    }
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
    Map<String, BackendClient> backends = new LinkedHashMap<>();
    for (Backend b : policy.backends().values()) {
      backends.put(b.name(), clients.computeIfAbsent(b, spec -> new BackendClient(vertx, spec)));
    }
    Optional<Audit> a = policy.audit();
    if (!a.equals(Optional.ofNullable(auditSpec))) {
      AuditSink previous = audit;
      boolean sameFile = auditSpec != null && a.isPresent() && auditSpec.file().equals(a.get().file());
      if (sameFile) {
        previous.close(); // one writer per file: drain and close before reopening with new settings
      }
      AuditSink next;
      try {
        next = a.isPresent() ? auditOpener.apply(a.get()) : AuditSink.NONE;
      } catch (RuntimeException e) {
        if (sameFile) {
          audit = auditOpener.apply(auditSpec); // reopen the old settings: auditing never stops
        }
        throw new PolicyException(List.of(policy.problemAt("/spec/audit", "cannot open the audit log: "
            + e.getMessage())));
      }
      audit = next;
      auditSpec = a.orElse(null);
      if (!sameFile) {
        vertx.setTimer(30_000, id -> previous.close());
      }
    }
    retireUnusedClients(policy);
    return new PolicyRuntime(policy, auth, List.copyOf(routes), Map.copyOf(backends), audit);
  }

  private List<Stage> stagesFor(GatewayPolicy policy, Route r, List<PolicyProblem> problems) {
    List<Stage> stages = new ArrayList<>();
    Set<String> handled = new HashSet<>();
    for (StageFactory f : factories) {
      handled.addAll(f.routeKeys());
      stages.addAll(f.create(policy, r, problems));
    }
    if (!r.screening().isEmpty() && !handled.contains("screening")) {
      problems.add(policy.problemAt(r.pointer() + "/screening",
          "route '" + r.name() + "' configures screening, but this build has no screening stage"));
    }
    if (r.privacy().isPresent() && !handled.contains("privacy")) {
      problems.add(policy.problemAt(r.pointer() + "/privacy",
          "route '" + r.name() + "' configures privacy, but this build has no privacy stage"));
    }
    if (!policy.models().isEmpty() && !handled.contains("models") && r.protocol() != dev.warden.policies.Protocol.OPENAI) {
      problems.add(policy.problemAt("/spec/models",
          "spec.models is set, but this build has no model trust gate"));
    }
    return stages;
  }

  /** Closes clients of backends the new policy no longer has, after in-flight requests drain. */
  private void retireUnusedClients(GatewayPolicy policy) {
    Set<Backend> live = new HashSet<>(policy.backends().values());
    List<BackendClient> retired = new ArrayList<>();
    clients.entrySet().removeIf(e -> {
      if (!live.contains(e.getKey())) {
        retired.add(e.getValue());
        return true;
      }
      return false;
    });
    if (!retired.isEmpty()) {
      vertx.setTimer(30_000, id -> retired.forEach(BackendClient::close));
    }
  }

  /**
   * The replicas' shared token buckets when {@code state.store} is redis and a route has a rate limit (one
   * client, kept across reloads while the Redis settings stay the same), else null.
   */
  private RedisBuckets sharedBuckets(GatewayPolicy policy, List<PolicyProblem> problems) {
    if (vertx == null || !policy.state().store().equals("redis")
        || policy.routes().stream().noneMatch(r -> r.rateLimit().isPresent())) {
      return null;
    }
    try {
      RedisTarget target = RedisTarget.of(policy.state());
      if (sharedBuckets != null && sharedBuckets.target().identity().equals(target.identity())) {
        return sharedBuckets;
      }
      RedisBuckets previous = sharedBuckets;
      sharedBuckets = new RedisBuckets(vertx, target);
      if (previous != null) {
        vertx.setTimer(30_000, id -> previous.close()); // stages of the old runtime may still be taking
      }
      return sharedBuckets;
    } catch (java.io.IOException | RuntimeException e) {
      problems.add(policy.problemAt("/spec/state", "cannot set up the shared rate limits: " + e.getMessage()));
      return null;
    }
  }

  /** Rate-limit takes that Redis did not answer (for the metrics). */
  public long sharedStateUnavailable() {
    RedisBuckets b = sharedBuckets;
    return b == null ? 0 : b.unavailableCount();
  }

  /** Closes every backend client and the audit log. */
  public void close() {
    if (sharedBuckets != null) {
      sharedBuckets.close();
    }
    clients.values().forEach(BackendClient::close);
    clients.clear();
    audit.close();
  }
}
