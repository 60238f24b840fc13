package dev.warden.gateway;

import dev.warden.gateway.admin.AdminServer;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.gateway.runtime.AuditSink;
import dev.warden.gateway.runtime.DataPlane;
import dev.warden.gateway.runtime.PolicyRuntime;
import dev.warden.gateway.runtime.PolicyWatcher;
import dev.warden.gateway.runtime.ReloadStatus;
import dev.warden.gateway.runtime.RuntimeCompiler;
import dev.warden.gateway.stages.BucketStore;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyException;
import dev.warden.policies.PolicyLoader;
import dev.warden.policies.Specs.Audit;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The Warden gateway: data-plane listener(s) on every event loop, the admin listener, the policy and
 * its hot reload. Build with {@link #builder()}, then {@link #start()}.
 *
 * <p>A reload validates the new policy and builds every stage's configuration before swapping it in
 * atomically; an invalid policy keeps the last good one, counts a failure and shows the error at
 * {@code /admin/policy}.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

  private final Builder b;
  private final Vertx vertx;
  private final GatewayMetrics metrics;
  private final AtomicReference<PolicyRuntime> runtime = new AtomicReference<>();
  private final AtomicReference<ReloadStatus> reloadStatus = new AtomicReference<>();
  private final BucketStore buckets = new BucketStore();
  private final RuntimeCompiler compiler;
  private PolicyWatcher watcher;
  private HttpServer admin;
  private volatile String dataDeployment;
  private long evictTimer = -1;
  private volatile int port;
  private long reloads;
  private long failures;

  private Gateway(Builder b) {
    this.b = b;
    this.metrics = b.metrics != null ? b.metrics : new GatewayMetrics();
    int loops = b.eventLoops > 0 ? b.eventLoops : Runtime.getRuntime().availableProcessors();
    this.vertx = b.vertx != null ? b.vertx : Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops))
        .build();
    this.compiler = new RuntimeCompiler(vertx, b.clock, b.stages, buckets, b.auditOpener);
    metrics.functionCounter("warden_state_unavailable", "Calls to the shared state (Redis) that failed; rate limits "
        + "then apply state.onUnavailable", "part", "rate-limit", compiler::sharedStateUnavailable);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Loads the policy (failing if it is invalid), starts the listeners and the policy watcher. */
  public Future<Gateway> start() {
    try {
      GatewayPolicy policy = b.loader.load(b.policyPath);
      runtime.set(compiler.compile(policy));
      reloads++;
      metrics.reloaded();
      reloadStatus.set(new ReloadStatus(Instant.now(b.clock), true, null, reloads, failures));
      LOG.info("policy " + policy.name() + " " + policy.version() + " loaded from " + policy.source()
          + "; native transport " + (vertx.isNativeTransportEnabled() ? "on (epoll)" : "off: "
          + vertx.unavailableNativeTransportCause()));
      b.onReload.forEach(l -> l.accept(policy));
    } catch (PolicyException e) {
      return Future.failedFuture(e);
    }
    int instances = b.eventLoops > 0 ? b.eventLoops : Runtime.getRuntime().availableProcessors();
    DataPlane plane = new DataPlane(runtime::get, metrics, () -> notReadyReason() == null, b.computeBackends);
    plane.federated(b.federated);
    HttpServerOptions options = dataPlaneOptions();
    Future<String> data = vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer(options).requestHandler(plane).listen(b.port, b.host)
            .onSuccess(s -> port = s.actualPort());
      }
    }, new DeploymentOptions().setInstances(instances));
    Map<String, Supplier<Object>> pages = new LinkedHashMap<>(b.adminPages);
    pages.put("/admin/policy", this::policyPage);
    AdminServer adminHandler = new AdminServer(this::notReadyReason, metrics::scrape, pages);
    Future<HttpServer> adminF = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .requestHandler(adminHandler).listen(b.adminPort, b.adminHost);
    evictTimer = vertx.setPeriodic(60_000, id -> buckets.evictIdle(System.nanoTime(), 600_000_000_000L));
    return Future.all(data, adminF).map(v -> {
      admin = adminF.result();
      dataDeployment = data.result();
      if (b.watch) {
        try {
          watcher = new PolicyWatcher(b.policyPath, this::referencedFiles, this::reload);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("cannot watch " + b.policyPath + ": " + e.getMessage(), e);
        }
      }
      return this;
    });
  }

  private HttpServerOptions dataPlaneOptions() {
    HttpServerOptions o = new HttpServerOptions()
        .setTcpNoDelay(true)
        .setTcpFastOpen(true)
        .setReusePort(true)
        .setCompressionSupported(false)
        // No WebSockets on the data plane: without these Vert.x adds an extension handler that every
        // read passes through.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setIdleTimeout(120)
        .setMaxInitialLineLength(8192);
    if (b.tlsCert != null) {
      o.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(b.tlsCert.toString())
          .setKeyPath(b.tlsKey.toString()));
      if (b.clientCa != null) {
        o.setTrustOptions(new PemTrustOptions().addCertPath(b.clientCa.toString()))
            .setClientAuth(b.requireClientCert ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
      }
    }
    return o;
  }

  /** Re-reads the policy now; the new one is used only if it is entirely valid. */
  public synchronized boolean reload() {
    try {
      GatewayPolicy policy = b.loader.load(b.policyPath);
      PolicyRuntime next = compiler.compile(policy);
      runtime.set(next);
      reloads++;
      metrics.reloaded();
      reloadStatus.set(new ReloadStatus(Instant.now(b.clock), true, null, reloads, failures));
      LOG.info("policy reloaded: " + policy.name() + " " + policy.version());
      b.onReload.forEach(l -> l.accept(policy));
      return true;
    } catch (PolicyException e) {
      failures++;
      metrics.reloadFailed();
      reloadStatus.set(new ReloadStatus(Instant.now(b.clock), false, e.getMessage(), reloads, failures));
      LOG.warning("policy reload refused, keeping the last good policy:\n" + e.getMessage());
      return false;
    } catch (RuntimeException e) {
      failures++;
      metrics.reloadFailed();
      reloadStatus.set(new ReloadStatus(Instant.now(b.clock), false, e.toString(), reloads, failures));
      LOG.warning("policy reload failed, keeping the last good policy: " + e);
      return false;
    }
  }

  private List<Path> referencedFiles() {
    PolicyRuntime rt = runtime.get();
    List<Path> out = new ArrayList<>();
    if (rt != null) {
      rt.policy().tenants().forEach(t -> {
        t.apiKeys().ifPresent(k -> out.add(k.sha256File()));
        t.jwt().ifPresent(j -> {
          j.publicKeyFile().ifPresent(out::add);
          j.jwksFile().ifPresent(out::add);
          j.secretFile().ifPresent(out::add);
        });
      });
      // a new detector signature (a model update) reloads the policy, which verifies the model again; the
      // model files themselves are not polled (they can be large), and the loaded copy is the verified one
      rt.policy().routes().forEach(r -> r.detectorModels().forEach(d -> out.add(d.signature())));
    }
    return out;
  }

  /** Null when ready; otherwise why not (for {@code /readyz}). */
  public String notReadyReason() {
    if (runtime.get() == null) {
      return "no policy loaded";
    }
    for (Supplier<String> check : b.readinessChecks) {
      String why = check.get();
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private Object policyPage() {
    PolicyRuntime rt = runtime.get();
    ReloadStatus s = reloadStatus.get();
    Map<String, Object> page = new LinkedHashMap<>();
    if (rt != null) {
      GatewayPolicy p = rt.policy();
      page.put("name", p.name());
      page.put("version", p.version());
      page.put("source", p.source().toString());
      page.put("loadedAt", p.loadedAt().toString());
      page.put("routes", rt.routes().stream().map(r -> r.route().name()).toList());
    }
    if (s != null) {
      Map<String, Object> last = new LinkedHashMap<>();
      last.put("at", s.at().toString());
      last.put("ok", s.ok());
      last.put("error", s.error());
      page.put("lastReload", last);
      page.put("reloads", s.reloads());
      page.put("reloadFailures", s.failures());
    }
    return page;
  }

  public int port() {
    return port;
  }

  public int adminPort() {
    return admin.actualPort();
  }

  public Vertx vertx() {
    return vertx;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public PolicyRuntime runtime() {
    return runtime.get();
  }

  public ReloadStatus reloadStatus() {
    return reloadStatus.get();
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    // Stop taking requests first and let the event loops finish what they are running, so the last
    // exchanges are audited and accounted before the audit log and ledgers close.
    vertx.cancelTimer(evictTimer);
    try {
      if (admin != null) {
        admin.close().await();
      }
      if (dataDeployment != null) {
        vertx.undeploy(dataDeployment).await();
      }
    } catch (RuntimeException e) {
      LOG.warning("stopping listeners: " + e);
    }
    compiler.close();
    for (AutoCloseable c : b.onClose) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warning("closing " + c + ": " + e);
      }
    }
    if (b.vertx == null) {
      vertx.close().await();
    }
  }


  /** Configures a gateway. Defaults: data plane 0.0.0.0:8080, admin 0.0.0.0:9090, event loops = cores. */
  public static final class Builder {
    private Path policyPath;
    private PolicyLoader loader = PolicyLoader.forServing();
    private String host = "0.0.0.0";
    private int port = 8080;
    private String adminHost = "0.0.0.0";
    private int adminPort = 9090;
    private int eventLoops;
    private Path tlsCert;
    private Path tlsKey;
    private Path clientCa;
    private boolean requireClientCert;
    private boolean watch = true;
    private Vertx vertx;
    private Clock clock = Clock.systemUTC();
    private final List<StageFactory> stages = new ArrayList<>();
    private final List<Supplier<String>> readinessChecks = new ArrayList<>();
    private final Map<String, Supplier<Object>> adminPages = new LinkedHashMap<>();
    private final List<java.util.function.Consumer<GatewayPolicy>> onReload = new ArrayList<>();
    private final List<AutoCloseable> onClose = new ArrayList<>();
    private GatewayMetrics metrics;
    private dev.warden.gateway.fl.FederatedEndpoints federated;
    private final Map<dev.warden.policies.Protocol, dev.warden.gateway.pipeline.ComputeBackend> computeBackends =
        new java.util.EnumMap<>(dev.warden.policies.Protocol.class);
    private Function<Audit, AuditSink> auditOpener = a -> {
      throw new IllegalStateException("no audit log implementation registered");
    };

    public Builder policy(Path fileOrDir) {
      this.policyPath = fileOrDir;
      return this;
    }

    public Builder loader(PolicyLoader l) {
      this.loader = Objects.requireNonNull(l);
      return this;
    }

    public Builder listen(String host, int port) {
      this.host = host;
      this.port = port;
      return this;
    }

    public Builder admin(String host, int port) {
      this.adminHost = host;
      this.adminPort = port;
      return this;
    }

    public Builder eventLoops(int n) {
      this.eventLoops = n;
      return this;
    }

    /** Serve TLS from PEM files. */
    public Builder tls(Path certPem, Path keyPem) {
      this.tlsCert = certPem;
      this.tlsKey = keyPem;
      return this;
    }

    /** Ask clients for a certificate chaining to {@code caPem}; {@code require} refuses those without. */
    public Builder clientCa(Path caPem, boolean require) {
      this.clientCa = caPem;
      this.requireClientCert = require;
      return this;
    }

    public Builder watchPolicy(boolean on) {
      this.watch = on;
      return this;
    }

    /** Use an existing Vert.x instance (not closed by the gateway). */
    public Builder vertx(Vertx v) {
      this.vertx = v;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /** Registers a capability's stages (trust gate, screening, privacy, HE routing). */
    public Builder stage(StageFactory f) {
      stages.add(f);
      return this;
    }

    /** A condition for {@code /readyz}: returns null when satisfied, else the reason. */
    public Builder readinessCheck(Supplier<String> check) {
      readinessChecks.add(check);
      return this;
    }

    /** A JSON page on the admin listener, e.g. {@code /admin/models}. */
    public Builder adminPage(String path, Supplier<Object> page) {
      adminPages.put(path, page);
      return this;
    }

    /** Serves backends of {@code protocol} (e.g. warden-he) with {@code backend} instead of plain HTTP. */
    public Builder computeBackend(dev.warden.policies.Protocol protocol, dev.warden.gateway.pipeline.ComputeBackend backend) {
      computeBackends.put(protocol, backend);
      return this;
    }

    /** Serves secure-aggregation rounds under {@code /v1/fl/...} (absent: those paths answer 404). */
    public Builder federated(dev.warden.gateway.fl.FederatedEndpoints f) {
      this.federated = f;
      return this;
    }

    /** Shares a metrics registry with capabilities that register their own meters. */
    public Builder metrics(GatewayMetrics m) {
      this.metrics = m;
      return this;
    }

    /** Closed with the gateway (after the listeners stop). */
    public Builder onClose(AutoCloseable c) {
      onClose.add(c);
      return this;
    }

    /** Called with each policy that becomes current, including the first. */
    public Builder onReload(java.util.function.Consumer<GatewayPolicy> listener) {
      onReload.add(listener);
      return this;
    }

    public Builder auditOpener(Function<Audit, AuditSink> opener) {
      this.auditOpener = opener;
      return this;
    }

    public Gateway build() {
      Objects.requireNonNull(policyPath, "policy path");
      return new Gateway(this);
    }
  }
}
