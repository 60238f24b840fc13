package dev.warden.gateway.he.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.Serialization;
import dev.warden.gateway.he.HeModels;
import dev.warden.verifier.KeyAuthority;
import dev.warden.verifier.ModelVerifier;
import dev.warden.verifier.Pem;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The untrusted HE compute party ({@code warden he-backend}): evaluates signed, compiled models on
 * ciphertexts with public evaluation keys. It never receives or holds a secret key.
 *
 * <p>HTTP API (binary bodies, {@code application/octet-stream}; errors are JSON
 * {@code {"error", "code"}}):
 * <ul>
 *   <li>{@code PUT /v1/keys/{keyId}?model=NAME} — register an evaluation-key set (the library's
 *       serialisation) for a model; 204. Replaces a set of the same id. Capped in size and total bytes,
 *       least recently used sets are evicted.</li>
 *   <li>{@code DELETE /v1/keys/{keyId}} — retire a key set; 204 (404 if unknown).</li>
 *   <li>{@code POST /v1/models/{name}/infer} with header {@code Warden-Key-Id} — body one ciphertext,
 *       answer one ciphertext; 404 {@code unknown_key} when the key set is not (or no longer) here.</li>
 *   <li>{@code GET /v1/models} — loaded and refused models; {@code GET /v1/health} — 200.</li>
 * </ul>
 * Every endpoint but {@code /v1/health} requires the caller's credentials ({@link CallerAuth}): a request
 * without the bearer token gets 401 {@code unauthenticated}.
 *
 * <h2>Security guarantees</h2>
 * Only models whose signature verifies under the configured public key are loaded (a model without a
 * valid signature is listed as refused and every request for it gets 404). Request bodies are bounded
 * (Content-Length required), every ciphertext and key set is parsed with the library's checked
 * deserialisation (malformed → 400 {@code malformed_ciphertext} / {@code malformed_keys}), evaluation runs
 * on a bounded worker pool with a deadline (503 {@code he_busy} / 504 {@code he_timeout}). Not provided:
 * authentication of the caller (put the backend on a private network or behind mTLS) and integrity of
 * results (the key holder checks the shape; it cannot check the function computed). Caller authentication
 * ({@link CallerAuth}: bearer token compared in constant time, and/or mTLS) keeps others from spending
 * its CPU or touching its key sets; it does not make the backend trusted.
 */
public final class HeBackendServer {
  private static final Logger LOG = Logger.getLogger(HeBackendServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  public static final String KEY_HEADER = "Warden-Key-Id";

  /** Limits. */
  public record Options(long maxCiphertextBytes, long maxKeySetBytes, long maxCachedKeyBytes, int maxKeySets,
      int workers, int maxQueued, long evaluateTimeoutMs) {
    public static Options defaults() {
      return new Options(4L << 20, 256L << 20, 1L << 30, 64,
          Math.max(1, Runtime.getRuntime().availableProcessors()), 256, 10_000);
    }
  }

  /** A model as loaded (or refused) from the models folder. */
  public record ModelStatus(String name, boolean loaded, String parameters, String reason) {}

  private final Vertx vertx;
  private final Options options;
  private final Map<String, CompiledModel> models;
  private final List<ModelStatus> statuses;
  private final KeyCache keys;
  private final WorkerExecutor workers;
  private final CallerAuth auth;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile Consumer<byte[]> tap = b -> {};
  private HttpServer server;

  private HeBackendServer(Vertx vertx, Options options, Map<String, CompiledModel> models, List<ModelStatus> st,
      CallerAuth auth) {
    this.vertx = vertx;
    this.auth = auth;
    this.options = options;
    this.models = models;
    this.statuses = st;
    this.keys = new KeyCache(options.maxCachedKeyBytes(), options.maxKeySets());
    this.workers = vertx.createSharedWorkerExecutor("warden-he-" + System.identityHashCode(this), options.workers(),
        options.evaluateTimeoutMs() * 4, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads every {@code DIR/<name>/model.onnx} whose {@code DIR/<name>/model.sig} verifies under
   * {@code publicKey}, compiles it once (preset from {@code DIR/<name>/he-parameters} if present, else
   * the smallest deep enough) and listens.
   */
  public static Future<HeBackendServer> start(Vertx vertx, String host, int port, Path modelsDir, Path publicKey,
      Options options) {
    return start(vertx, host, port, modelsDir, publicKey, options, CallerAuth.none());
  }

  /** As above, serving only callers that {@code auth} accepts (and over TLS when it has TLS settings). */
  public static Future<HeBackendServer> start(Vertx vertx, String host, int port, Path modelsDir, Path publicKey,
      Options options, CallerAuth auth) {
    Map<String, CompiledModel> models = new LinkedHashMap<>();
    List<ModelStatus> statuses = new ArrayList<>();
    try {
      loadModels(modelsDir, publicKey, models, statuses);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    HeBackendServer s = new HeBackendServer(vertx, options, Map.copyOf(models), List.copyOf(statuses), auth);
    HttpServerOptions so = new HttpServerOptions().setTcpNoDelay(true).setCompressionSupported(false);
    CallerAuth.Tls tls = auth.tls();
    if (tls != null) {
      so.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString())
          .setKeyPath(tls.keyFile().toString()));
      tls.clientCa().ifPresent(ca -> so.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()))
          .setClientAuth(ClientAuth.REQUIRED));
    }
    return vertx.createHttpServer(so)
        .requestHandler(s::handle).listen(port, host).map(srv -> {
          s.server = srv;
          return s;
        });
  }

  static void loadModels(Path dir, Path publicKey, Map<String, CompiledModel> models, List<ModelStatus> statuses)
      throws Exception {
    if (!Files.isDirectory(dir)) {
      throw new IOException("models folder " + dir + " does not exist");
    }
    ModelVerifier verifier = ModelVerifier.builder(new KeyAuthority(Pem.readPublicKey(publicKey))).build();
    List<Path> subdirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
      ds.forEach(subdirs::add);
    }
    Collections.sort(subdirs);
    for (Path m : subdirs) {
      String name = m.getFileName().toString();
      Path onnx = m.resolve("model.onnx");
      Path sig = m.resolve("model.sig");
      if (!Files.isRegularFile(onnx)) {
        continue;
      }
      if (!ID.matcher(name).matches()) {
        statuses.add(new ModelStatus(name, false, null, "invalid model name"));
        continue;
      }
      if (!Files.isRegularFile(sig)) {
        statuses.add(new ModelStatus(name, false, null, "unsigned: no model.sig"));
        LOG.warning("HE model " + name + " refused: no signature");
        continue;
      }
      try {
        verifier.verify(m, sig);
      } catch (Exception e) {
        statuses.add(new ModelStatus(name, false, null, "signature does not verify: " + e.getMessage()));
        LOG.warning("HE model " + name + " refused: " + e.getMessage());
        continue;
      }
      Path presetFile = m.resolve("he-parameters");
      String preset = Files.isRegularFile(presetFile) ? Files.readString(presetFile).strip() : null;
      try {
        CompiledModel cm = HeModels.compile(Files.readAllBytes(onnx), preset);
        models.put(name, cm);
        statuses.add(new ModelStatus(name, true, cm.parameters().toString(), null));
      } catch (RuntimeException e) {
        statuses.add(new ModelStatus(name, false, null, "cannot compile: " + e.getMessage()));
      }
    }
  }

  public int actualPort() {
    return server.actualPort();
  }

  public List<ModelStatus> models() {
    return statuses;
  }

  /** Test hook: sees every request body the backend receives (key sets and ciphertexts). */
  public void tap(Consumer<byte[]> t) {
    this.tap = Objects.requireNonNull(t);
  }

  /** Number of key sets cached now. */
  public int cachedKeySets() {
    return keys.size();
  }

  public Future<Void> close() {
    workers.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpServerRequest req) {
    String path = req.path();
    try {
      if (req.method() == HttpMethod.GET && path.equals("/v1/health")) {
        req.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
      } else if (!auth.permits(req.getHeader("Authorization"))) {
        req.response().putHeader("WWW-Authenticate", "Bearer realm=\"warden-he\"");
        error(req, 401, "unauthenticated", "the HE backend serves only its gateway: bearer token missing or wrong");
      } else if (req.method() == HttpMethod.GET && path.equals("/v1/models")) {
        listModels(req);
      } else if (path.startsWith("/v1/keys/") && req.method() == HttpMethod.PUT) {
        putKeys(req, path.substring("/v1/keys/".length()));
      } else if (path.startsWith("/v1/keys/") && req.method() == HttpMethod.DELETE) {
        String id = path.substring("/v1/keys/".length());
        if (keys.remove(id)) {
          req.response().setStatusCode(204).end();
        } else {
          error(req, 404, "unknown_key", "no key set '" + safe(id) + "'");
        }
      } else if (req.method() == HttpMethod.POST && path.startsWith("/v1/models/") && path.endsWith("/infer")) {
        infer(req, path.substring("/v1/models/".length(), path.length() - "/infer".length()));
      } else {
        error(req, 404, "not_found", "no endpoint " + req.method() + " " + safe(path));
      }
    } catch (RuntimeException e) {
      error(req, 500, "internal_error", e.getClass().getSimpleName());
    }
  }

  private void listModels(HttpServerRequest req) {
    ArrayNode arr = JSON.createArrayNode();
    for (ModelStatus s : statuses) {
      ObjectNode o = arr.addObject().put("name", s.name()).put("loaded", s.loaded());
      if (s.parameters() != null) {
        o.put("parameters", s.parameters());
      }
      if (s.reason() != null) {
        o.put("reason", s.reason());
      }
    }
    req.response().putHeader("Content-Type", "application/json").end(arr.toString());
  }

  /** Reads a body of at most {@code max} bytes; requires Content-Length. Null (and answered) if refused. */
  private Future<Buffer> body(HttpServerRequest req, long max) {
    String cl = req.getHeader("Content-Length");
    long n;
    try {
      n = cl == null ? -1 : Long.parseLong(cl);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0) {
      error(req, 411, "length_required", "Content-Length is required");
      return null;
    }
    if (n > max) {
      error(req, 413, "too_large", "body of " + n + " bytes exceeds the limit of " + max);
      return null;
    }
    return req.body();
  }

  private void putKeys(HttpServerRequest req, String id) {
    if (!ID.matcher(id).matches()) {
      error(req, 400, "bad_key_id", "key id must match " + ID.pattern());
      return;
    }
    String modelName = req.getParam("model");
    CompiledModel model = modelName == null ? null : models.get(modelName);
    if (model == null) {
      error(req, 404, "unknown_model", "no loaded model '" + safe(modelName) + "'");
      return;
    }
    Future<Buffer> f = body(req, options.maxKeySetBytes());
    if (f == null) {
      return;
    }
    f.compose(buf -> {
      byte[] bytes = buf.getBytes();
      tap.accept(bytes);
      return workers.executeBlocking(() -> {
        EvaluationKeys evk = Serialization.readEvaluationKeys(bytes, model.parameters());
        new EncryptedInference.Evaluator(model, evk); // refuses a set that lacks the model's keys
        return evk;
      }, false).map(evk -> new KeySet(id, modelName, model, evk, bytes.length));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        keys.put(ar.result());
        req.response().setStatusCode(204).end();
      } else if (ar.cause() instanceof IllegalArgumentException || ar.cause() instanceof IllegalStateException) {
        error(req, 400, "malformed_keys", "evaluation keys refused: " + ar.cause().getMessage());
      } else {
        error(req, 400, "bad_request", "cannot read the key set: " + ar.cause().getClass().getSimpleName());
      }
    });
  }

  private void infer(HttpServerRequest req, String modelName) {
    CompiledModel model = models.get(modelName);
    if (model == null) {
      error(req, 404, "unknown_model", "no loaded model '" + safe(modelName) + "'");
      return;
    }
    String id = req.getHeader(KEY_HEADER);
    KeySet ks = id == null ? null : keys.get(id);
    if (ks == null) {
      error(req, 404, "unknown_key", "no key set '" + safe(id) + "' (register it with PUT /v1/keys/{id})");
      return;
    }
    if (!ks.modelName.equals(modelName)) {
      error(req, 409, "key_model_mismatch", "key set '" + id + "' was registered for model '" + ks.modelName + "'");
      return;
    }
    Future<Buffer> f = body(req, options.maxCiphertextBytes());
    if (f == null) {
      return;
    }
    if (inFlight.incrementAndGet() > options.maxQueued()) {
      inFlight.decrementAndGet();
      error(req, 503, "he_busy", "too many encrypted requests in progress");
      return;
    }
    Promise<byte[]> done = Promise.promise();
    long timer = vertx.setTimer(options.evaluateTimeoutMs(), t -> done.tryFail(new TimeoutException()));
    f.compose(buf -> {
      byte[] bytes = buf.getBytes();
      tap.accept(bytes);
      return workers.executeBlocking(() -> {
        EncryptedInference.Evaluator ev = ks.borrow();
        try {
          return ev.evaluate(bytes);
        } finally {
          ks.release(ev);
        }
      }, false);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        done.tryComplete(ar.result());
      } else {
        done.tryFail(ar.cause());
      }
    });
    done.future().onComplete(ar -> {
      inFlight.decrementAndGet();
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        req.response().putHeader("Content-Type", "application/octet-stream").end(Buffer.buffer(ar.result()));
      } else if (ar.cause() instanceof TimeoutException) {
        error(req, 504, "he_timeout", "evaluation took longer than " + options.evaluateTimeoutMs() + " ms");
      } else if (ar.cause() instanceof IllegalArgumentException) {
        error(req, 400, "malformed_ciphertext", "ciphertext refused: " + ar.cause().getMessage());
      } else {
        error(req, 500, "internal_error", "evaluation failed: " + ar.cause().getClass().getSimpleName());
      }
    });
  }

  private static final class TimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TimeoutException() {
      super(null, null, false, false);
    }
  }

  private static String safe(String s) {
    if (s == null) {
      return "";
    }
    String t = s.length() > 80 ? s.substring(0, 80) : s;
    return t.replaceAll("[^A-Za-z0-9_./-]", "?");
  }

  private static void error(HttpServerRequest req, int status, String code, String message) {
    if (req.response().ended()) {
      return;
    }
    ObjectNode o = JSON.createObjectNode().put("error", message).put("code", code);
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(o.toString());
  }

  // ---------------------------------------------------------------- key sets

  /** One registered evaluation-key set with a small pool of evaluators (one per worker thread at most). */
  static final class KeySet {
    final String id;
    final String modelName;
    final CompiledModel model;
    final EvaluationKeys evk;
    final long bytes;
    private final ConcurrentLinkedDeque<EncryptedInference.Evaluator> pool = new ConcurrentLinkedDeque<>();

    KeySet(String id, String modelName, CompiledModel model, EvaluationKeys evk, long bytes) {
      this.id = id;
      this.modelName = modelName;
      this.model = model;
      this.evk = evk;
      this.bytes = bytes;
    }

    EncryptedInference.Evaluator borrow() {
      EncryptedInference.Evaluator e = pool.pollFirst();
      return e != null ? e : new EncryptedInference.Evaluator(model, evk);
    }

    void release(EncryptedInference.Evaluator e) {
      pool.offerFirst(e);
    }
  }

  /** LRU by access, bounded by total bytes and count. */
  static final class KeyCache {
    private final long maxBytes;
    private final int maxSets;
    private final LinkedHashMap<String, KeySet> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    KeyCache(long maxBytes, int maxSets) {
      this.maxBytes = maxBytes;
      this.maxSets = maxSets;
    }

    synchronized void put(KeySet ks) {
      KeySet old = map.remove(ks.id);
      if (old != null) {
        bytes -= old.bytes;
      }
      map.put(ks.id, ks);
      bytes += ks.bytes;
      Iterator<Map.Entry<String, KeySet>> it = map.entrySet().iterator();
      while ((bytes > maxBytes || map.size() > maxSets) && it.hasNext()) {
        Map.Entry<String, KeySet> e = it.next();
        if (e.getKey().equals(ks.id)) {
          continue;
        }
        bytes -= e.getValue().bytes;
        it.remove();
      }
    }

    synchronized KeySet get(String id) {
      return map.get(id);
    }

    synchronized boolean remove(String id) {
      KeySet old = map.remove(id);
      if (old != null) {
        bytes -= old.bytes;
      }
      return old != null;
    }

    synchronized int size() {
      return map.size();
    }
  }
}
