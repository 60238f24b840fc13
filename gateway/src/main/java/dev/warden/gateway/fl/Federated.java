package dev.warden.gateway.fl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.crypto.secagg.RoundConfig;
import dev.warden.crypto.secagg.RoundCoordinator;
import dev.warden.crypto.secagg.RoundStatus;
import dev.warden.crypto.secagg.SecAggException;
import dev.warden.crypto.secagg.SecAggServer;
import dev.warden.gateway.audit.AuditEvent;
import dev.warden.gateway.auth.Authenticator.Identity;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageFactory;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.runtime.AuditLogSink;
import dev.warden.gateway.runtime.Errors;
import dev.warden.gateway.runtime.PolicyRuntime;
import dev.warden.gateway.stages.BodyReader;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.Route;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The federated-learning capability: serves secure-aggregation rounds ({@link RoundCoordinator}) under
 * {@code /v1/fl/...} for the cohort the policy's {@code spec.federated} section enrols.
 *
 * <p>Each request is authenticated by the policy's authenticator, checked against the section's tenant
 * lists (creators, participants, readers), its body read up to a bound the round implies (a masked input is
 * {@code vectorLength} ring words plus a signed header; other messages scale with the cohort), and the
 * coordinator call — which appends to an fsync'd journal — runs on a small worker pool, never on the event
 * loop. A Vert.x timer calls {@link RoundCoordinator#tick()} every {@value #TICK_MS} ms so phases close at
 * their deadlines even when nobody polls. Library refusals map to statuses as the library documents
 * ({@code NOT_READY} is {@code 425 Too Early}, which {@code FlHttpClient} retries). Every call except those
 * 425 polls leaves an audit record (route {@code fl}, extras {@code phase}, {@code round}, bytes); every call
 * feeds {@link FlMetrics} and {@code warden_requests{route="fl"}}.
 *
 * <p>Rounds live in {@link FederatedSettings#stateDir()} and survive a restart: the coordinator replays the
 * journals when it opens the directory.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Only cohort members' signed messages are accepted (checked by the library); the tenant lists add
 *       transport-level access control on top, and only the policy's readers (fixed per round at
 *       creation) can fetch an aggregate.
 *   <li>Nothing secret passes through here: clients' masks and shares stay encrypted or masked; the journal
 *       allows recomputing aggregates, so the state directory must be protected like them.
 * </ul>
 */
public final class Federated implements FederatedEndpoints, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Federated.class.getName());
  /** Deadline resolution: phases also close on every call that touches the round, so this only bounds idle rounds. */
  static final long TICK_MS = 1000;
  /** Worker threads for coordinator calls: they are short (parse, verify one signature, fsync) and per-round serialised. */
  private static final int WORKERS = 4;
  /** Room for a signed message's header (magic, phase, context hash, ids, length) and signature, with slack. */
  private static final long MESSAGE_OVERHEAD = 1024;
  /** Bound on one addressed share ciphertext in SHARE_KEYS (u32 to, u32 len, sealed ≤ 256 bytes), with slack. */
  private static final long PER_SHARE = 300;
  /** One UNMASK entry: u32 owner, u8 kind, 40-byte share. */
  private static final long PER_UNMASK = 45;
  private static final long CREATE_MAX = 4096;
  private static final Pattern ROUND_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final String OCTETS = "application/octet-stream";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayMetrics gatewayMetrics;
  private final FlMetrics metrics;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "warden-fl");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, RoundConfig> configs = new ConcurrentHashMap<>();
  private final AtomicBoolean ticking = new AtomicBoolean();
  private volatile FederatedSettings settings;
  private volatile RoundCoordinator coordinator;
  private FileLock lock;
  private Path openDir;
  private Vertx timerVertx;
  private volatile long timerId = -1;
  private volatile boolean closed;

  public Federated(GatewayMetrics metrics, Clock clock) {
    this.gatewayMetrics = metrics;
    this.metrics = new FlMetrics(metrics);
    this.clock = clock;
  }

  /** Validates {@code spec.federated} with every policy load (a bad section keeps the last good policy). */
  public StageFactory factory() {
    return new StageFactory() {
      @Override
      public Set<String> routeKeys() {
        return Set.of();
      }

      @Override
      public List<Stage> create(GatewayPolicy policy, Route route, List<PolicyProblem> problems) {
        if (policy.routes().get(0) == route) { // once per policy: the section is not per route
          FederatedSettings.read(policy, problems);
        }
        return List.of();
      }
    };
  }

  /** Applies a policy that became current: new settings, and the coordinator of its state directory. */
  public synchronized void sync(GatewayPolicy policy) {
    FederatedSettings s = FederatedSettings.read(policy, new ArrayList<>()).orElse(null);
    settings = s;
    if (s == null || s.stateDir().equals(openDir) || closed) {
      return;
    }
    RoundCoordinator old = coordinator;
    FileLock oldLock = lock;
    try {
      FileLock next = lockDir(s.stateDir());
      try {
        coordinator = new RoundCoordinator(s.stateDir(), clock, random, this::phaseClosed);
      } catch (SecAggException e) {
        release(next);
        throw e;
      }
      lock = next;
      openDir = s.stateDir();
      configs.clear();
      LOG.info("federated rounds: state in " + openDir + ", " + coordinator.roundIds().size() + " round(s) loaded");
    } catch (SecAggException | IOException e) {
      LOG.severe("federated rounds unavailable: " + e.getMessage());
      coordinator = null;
      lock = null;
      openDir = null;
    }
    if (old != null) {
      old.close();
    }
    if (oldLock != null) {
      release(oldLock);
    }
  }

  /**
   * One process per state directory: two coordinators appending to the same journals would corrupt them
   * (several replicas need one directory each and sticky routing of {@code /v1/fl/...} per round).
   */
  private static FileLock lockDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new IOException("another gateway holds the federated state directory " + dir);
    }
    return l;
  }

  private static void release(FileLock l) {
    try {
      l.release();
      l.channel().close();
    } catch (IOException e) {
      LOG.fine("releasing " + l + ": " + e);
    }
  }

  private void phaseClosed(String roundId, dev.warden.crypto.secagg.Phase phase, int survivors, int expected,
      SecAggServer.State state, String why, Instant at) {
    metrics.dropouts(endpointOf(phase), expected - survivors);
    if (state != SecAggServer.State.COMPLETE && state != SecAggServer.State.FAILED) {
      return;
    }
    String outcome = state == SecAggServer.State.COMPLETE ? "complete" : "failed";
    metrics.round(outcome);
    LOG.info("federated round " + roundId + " " + outcome + (why == null ? "" : ": " + why));
    RoundCoordinator co = coordinator;
    try {
      pool.execute(() -> { // outside the round's lock
        try {
          RoundStatus st = co.status(roundId);
          if (st.endedAt() != null) {
            metrics.roundDuration(outcome, Duration.between(st.createdAt(), st.endedAt()));
          }
        } catch (RuntimeException e) {
          LOG.fine("round duration of " + roundId + ": " + e);
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      // closing: the duration is lost, the round is not
    }
  }

  private static String endpointOf(dev.warden.crypto.secagg.Phase p) {
    return p.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private synchronized void startTimer(Vertx vertx) {
    if (timerId >= 0 || closed) {
      return;
    }
    timerVertx = vertx;
    timerId = vertx.setPeriodic(TICK_MS, id -> {
      RoundCoordinator co = coordinator;
      if (co == null || !ticking.compareAndSet(false, true)) {
        return;
      }
      try {
        pool.execute(() -> {
          try {
            co.tick();
          } catch (RuntimeException e) {
            LOG.warning("federated tick: " + e.getMessage());
          } finally {
            ticking.set(false);
          }
        });
      } catch (RejectedExecutionException e) {
        ticking.set(false);
      }
    });
  }

  // ------------------------------------------------------------------------------------------ requests

  /** One parsed {@code /v1/fl/...} request. {@code endpoint} is a bounded name for audit and metrics. */
  record Call(String endpoint, boolean post, String roundId, Integer client) {
    static Call parse(HttpMethod method, String path) {
      if (!path.startsWith("/v1/fl/")) {
        return null;
      }
      String[] p = path.substring(7).split("/", -1);
      boolean post = method == HttpMethod.POST;
      if (!post && method != HttpMethod.GET) {
        return null;
      }
      if (!p[0].equals("rounds")) {
        return null;
      }
      if (p.length == 1) {
        return post ? new Call("create", true, null, null) : null;
      }
      if (!ROUND_ID.matcher(p[1]).matches()) {
        return null;
      }
      String id = p[1];
      if (p.length == 2) {
        return post ? null : new Call("config", false, id, null);
      }
      String what = p[2];
      if (p.length == 4) {
        if (post || !(what.equals("advertise-keys") || what.equals("share-keys")) || !p[3].matches("[1-9][0-9]{0,5}")) {
          return null;
        }
        return new Call(what, false, id, Integer.parseInt(p[3]));
      }
      if (p.length != 3) {
        return null;
      }
      boolean ok = switch (what) {
        case "advertise-keys", "share-keys", "masked-input" -> post;
        case "consistency-check", "unmask" -> true;
        case "status", "result" -> !post;
        default -> false;
      };
      return ok ? new Call(what, post, id, null) : null;
    }
  }

  private record Answer(int status, byte[] body, String contentType, String location, Boolean fresh,
      Map<String, String> headers) {
    Answer(int status, byte[] body, String contentType, String location, Boolean fresh) {
      this(status, body, contentType, location, fresh, Map.of());
    }
  }

  @Override
  public void handle(Exchange ex, PolicyRuntime rt, List<Certificate> peerCertificates) {
    HttpServerRequest req = ex.request();
    Context ctx = Vertx.currentContext();
    if (ctx != null && timerId < 0) {
      startTimer(ctx.owner());
    }
    Call call = Call.parse(req.method(), req.path());
    String tenant;
    try {
      Identity id = rt.authenticator().authenticate(req.getHeader("Authorization"), peerCertificates);
      ex.identify(id.tenant(), id.method());
      tenant = id.tenant();
    } catch (StageRejection r) {
      fail(ex, rt, call, r.status(), r.code(), r.getMessage(), 0);
      return;
    }
    FederatedSettings s = settings;
    RoundCoordinator co = coordinator;
    if (s == null) {
      fail(ex, rt, call, 404, "not_found", "this gateway's policy has no federated section", 0);
      return;
    }
    if (co == null) {
      fail(ex, rt, call, 503, "fl_unavailable", "the federated round state could not be opened (see the gateway log)", 0);
      return;
    }
    if (call == null) {
      fail(ex, rt, null, 404, "not_found", "no federated endpoint " + req.method() + " " + req.path(), 0);
      return;
    }
    boolean allowed = call.endpoint().equals("create") ? s.mayCreate(tenant)
        : call.endpoint().equals("result") || s.mayParticipate(tenant);
    if (!allowed) {
      fail(ex, rt, call, 403, "forbidden", "tenant '" + tenant + "' may not "
          + (call.endpoint().equals("create") ? "create federated rounds" : "take part in federated rounds"), 0);
      return;
    }
    if (!call.post()) {
      run(ex, rt, ctx, call, tenant, co, s, null);
      return;
    }
    long cap;
    try {
      cap = bodyCap(call, co);
    } catch (SecAggException e) {
      fail(ex, rt, call, e.code().httpStatus(), code(e), e.getMessage(), 0);
      return;
    }
    BodyReader.read(req, cap).onComplete(ar -> {
      if (ar.failed()) {
        StageRejection r = ar.cause() instanceof StageRejection sr ? sr
            : new StageRejection(400, "bad_request", "request body could not be read: " + ar.cause().getClass().getSimpleName());
        fail(ex, rt, call, r.status(), r.code(), r.getMessage(), 0);
        return;
      }
      run(ex, rt, ctx, call, tenant, co, s, ar.result().getBytes());
    });
  }

  /** The largest body a request may carry: a signed header plus what the round's sizes allow. */
  private long bodyCap(Call call, RoundCoordinator co) {
    if (call.roundId() == null) {
      return CREATE_MAX;
    }
    RoundConfig cfg = configs.computeIfAbsent(call.roundId(), id -> RoundConfig.parse(co.roundConfig(id)));
    long n = cfg.cohortSize();
    return MESSAGE_OVERHEAD + switch (call.endpoint()) {
      case "share-keys" -> n * PER_SHARE;
      case "masked-input" -> (long) cfg.vectorLength() * cfg.ring().bytesPerEntry();
      case "consistency-check" -> 4 * n;
      case "unmask" -> n * PER_UNMASK;
      default -> 0L;
    };
  }

  private void run(Exchange ex, PolicyRuntime rt, Context ctx, Call call, String tenant, RoundCoordinator co,
      FederatedSettings s, byte[] body) {
    long in = body == null ? 0 : body.length;
    CompletableFuture<Answer> f;
    try {
      f = CompletableFuture.supplyAsync(() -> invoke(call, tenant, co, s, body), pool);
    } catch (RejectedExecutionException e) {
      fail(ex, rt, call, 503, "fl_unavailable", "the gateway is shutting down", in);
      return;
    }
    f.whenComplete((answer, err) -> {
      Runnable done = () -> {
        if (err == null) {
          reply(ex, rt, call, answer, in);
          return;
        }
        Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (c instanceof SecAggException e) {
          fail(ex, rt, call, e.code().httpStatus(), code(e), e.getMessage(), in);
        } else if (c instanceof StageRejection r) {
          fail(ex, rt, call, r.status(), r.code(), r.getMessage(), in);
        } else {
          LOG.warning("federated " + call.endpoint() + " failed: " + c);
          fail(ex, rt, call, 500, "internal_error", "federated endpoint failed: " + c.getClass().getSimpleName(), in);
        }
      };
      if (ctx != null) {
        ctx.runOnContext(v -> done.run());
      } else {
        done.run();
      }
    });
  }

  /** The coordinator call; runs on the worker pool. */
  private Answer invoke(Call call, String tenant, RoundCoordinator co, FederatedSettings s, byte[] body) {
    String id = call.roundId();
    return switch (call.endpoint()) {
      case "create" -> {
        byte[] cfg = co.createRound(s.spec(requestedRoundId(body)));
        metrics.round("created");
        String created = RoundConfig.parse(cfg).roundId();
        yield new Answer(201, cfg, OCTETS, "/v1/fl/rounds/" + created, null);
      }
      case "config" -> octets(co.roundConfig(id));
      case "status" -> new Answer(200, co.status(id).toJson().getBytes(StandardCharsets.UTF_8), "application/json", null, null);
      case "result" -> withGuarantee(octets(co.result(id, tenant)), co, id, s.dpDelta());
      case "advertise-keys" -> call.post() ? accepted(co.submitAdvertisement(id, body)) : octets(co.advertisements(id, call.client()));
      case "share-keys" -> call.post() ? accepted(co.submitShares(id, body)) : octets(co.shares(id, call.client()));
      case "masked-input" -> accepted(co.submitMaskedInput(id, body));
      case "consistency-check" -> call.post() ? accepted(co.submitConsistencyCheck(id, body)) : octets(co.consistencyRequest(id));
      case "unmask" -> call.post() ? accepted(co.submitUnmask(id, body)) : octets(co.unmaskRequest(id));
      default -> throw new IllegalStateException("unrouted federated endpoint " + call.endpoint());
    };
  }

  /**
   * A noisy round's aggregate carries its (ε, δ) guarantee, computed for the clients that actually survived
   * (their noise is what is in the sum), so a reader knows what the released aggregate is worth.
   */
  private static Answer withGuarantee(Answer a, RoundCoordinator co, String roundId, double delta) {
    return co.privacyGuarantee(roundId, delta).map(g -> new Answer(a.status(), a.body(), a.contentType(), a.location(),
        a.fresh(), Map.of(
            "Warden-Privacy-Epsilon", String.format(Locale.ROOT, "%.6g", g.epsilon()),
            "Warden-Privacy-Delta", String.format(Locale.ROOT, "%.3g", g.delta()),
            "Warden-FL-Survivors", Integer.toString(g.survivors())))).orElse(a);
  }

  private static Answer octets(byte[] b) {
    return new Answer(200, b, OCTETS, null, null);
  }

  private static Answer accepted(boolean fresh) {
    return new Answer(204, new byte[0], null, null, fresh);
  }

  /** Round id from the create body {@code {"roundId": "..."}}; null (coordinator draws one) for an empty body. */
  private static String requestedRoundId(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (IOException e) {
      throw new StageRejection(400, "bad_request", "create body must be JSON {\"roundId\": \"...\"}: " + e.getClass().getSimpleName());
    }
    if (n == null || !n.isObject() || (n.size() > 0 && !n.has("roundId")) || n.size() > 1) {
      throw new StageRejection(400, "bad_request", "create body must be JSON {\"roundId\": \"...\"} (or empty)");
    }
    if (!n.has("roundId")) {
      return null;
    }
    String id = n.get("roundId").asText();
    if (!n.get("roundId").isTextual() || !ROUND_ID.matcher(id).matches()) {
      throw new StageRejection(400, "bad_request", "roundId must match " + ROUND_ID.pattern());
    }
    return id;
  }

  private static String code(SecAggException e) {
    return e.code().name().toLowerCase(Locale.ROOT);
  }

  private void reply(Exchange ex, PolicyRuntime rt, Call call, Answer a, long in) {
    HttpServerResponse out = ex.request().response();
    if (out.closed()) {
      finish(ex, rt, call, 499, "client_closed", in, 0, a.fresh());
      return;
    }
    out.setStatusCode(a.status());
    if (a.contentType() != null) {
      out.putHeader("Content-Type", a.contentType());
    }
    if (a.location() != null) {
      out.putHeader("Location", a.location());
    }
    a.headers().forEach(out::putHeader);
    if (a.status() == 204) {
      out.end();
    } else {
      out.putHeader("Content-Length", Integer.toString(a.body().length)).end(Buffer.buffer(a.body()));
    }
    finish(ex, rt, call, a.status(), null, in, a.body().length, a.fresh());
  }

  private void fail(Exchange ex, PolicyRuntime rt, Call call, int status, String code, String message, long in) {
    HttpServerRequest req = ex.request();
    if (req.method() != HttpMethod.GET && !req.isEnded()) {
      req.response().putHeader("Connection", "close"); // the body was not (fully) read
    }
    Errors.write(req.response(), status, code, message);
    finish(ex, rt, call, status, code, in, 0, null);
  }

  /** Metrics and one audit record per call. */
  private void finish(Exchange ex, PolicyRuntime rt, Call call, int status, String code, long in, long out, Boolean fresh) {
    long nanos = System.nanoTime() - ex.startNanos();
    String endpoint = call == null ? "unknown" : call.endpoint();
    gatewayMetrics.request("fl", status, nanos);
    metrics.bytes(endpoint, "in", in);
    metrics.bytes(endpoint, "out", out);
    if (status == 425 || !(rt.audit() instanceof AuditLogSink sink)) {
      return; // "not ready yet, poll again" answers are counted in the metrics only: clients poll every few hundred ms
    }
    AuditEvent.Builder b = AuditEvent.builder()
        .time(Instant.now(clock))
        .requestId(ex.requestId())
        .tenant(ex.tenant())
        .route("fl")
        .protocol("warden-fl")
        .status(status)
        .code(code)
        .latencyMs(nanos / 1e6)
        .extra("phase", endpoint)
        .extra("method", ex.request().method().name())
        .extra("round", call == null ? null : call.roundId())
        .extra("bytesIn", in)
        .extra("bytesOut", out);
    if (call != null && call.client() != null) {
      b.extra("client", call.client());
    }
    if (fresh != null) {
      b.extra("duplicate", !fresh);
    }
    sink.log().append(b.build());
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (timerId >= 0) {
        timerVertx.cancelTimer(timerId);
        timerId = -1;
      }
    }
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RoundCoordinator co = coordinator;
    coordinator = null;
    if (co != null) {
      co.close();
    }
    synchronized (this) {
      if (lock != null) {
        release(lock);
        lock = null;
      }
    }
  }
}
