package dev.warden.gateway.he;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.gateway.he.HeComputeBackend.TenantKey;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.upstream.BackendClient;
import dev.warden.gateway.upstream.CircuitBreaker;
import dev.warden.policies.Specs.Backend;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The gateway's HTTP client for the HE backend's API (see {@link HeBackendServer}). Pushes a tenant's
 * evaluation keys on first use (and again if the backend lost them), posts ciphertexts, retires key ids.
 * Any transport failure, timeout or error status becomes a {@link StageRejection}: 503
 * {@code he_backend_unavailable} (down, slow, busy) or 502 {@code he_backend_error}. Each request
 * carries the backend's bearer token (policy {@code tokenFile}) and, for {@code https} backends, uses
 * the backend's {@code tls} settings (CA, client certificate for mTLS).
 *
 * <p>Each backend has its own {@link CircuitBreaker} (the policy's {@code circuitBreaker} settings, as
 * for plain backends): after that many inferences in a row that found it down or too slow (503), it is
 * refused at once for {@code openMs}, so a hanging backend costs its timeout a few times, not on every
 * request, and a {@code fallback} is reached without waiting. A backend that answers with an error
 * (502) is up and does not trip the breaker.
 */
final class HeClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = Logger.getLogger(HeClient.class.getName());
  private final Vertx vertx;
  private final Function<String, String> tokens;
  /** One pooled client per TLS setting (plain HTTP shares one). */
  private final Map<Object, HttpClient> clients = new ConcurrentHashMap<>();
  /** By backend name; replaced when a reload changes that backend's settings. */
  private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

  private record Breaker(Backend spec, CircuitBreaker breaker) {}

  /** {@code tokens}: the bearer token of a backend by name, or null. */
  HeClient(Vertx vertx, Function<String, String> tokens) {
    this.vertx = vertx;
    this.tokens = tokens;
  }

  private HttpClient http(Backend b) {
    boolean tls = "https".equals(b.url().getScheme());
    return clients.computeIfAbsent(tls ? b.tls() : "http", k -> {
      HttpClientOptions o = new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true).setSsl(tls);
      BackendClient.applyTls(o, b);
      return vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(32));
    });
  }

  private record Reply(int status, Buffer body) {}

  private Future<Reply> send(Backend b, HttpMethod method, String url, String keyId, Buffer body, long timeoutMs) {
    Promise<Reply> p = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> p.tryFail(new StageRejection(503,
        "he_backend_unavailable", "the HE backend did not answer within " + timeoutMs + " ms")));
    RequestOptions ro = new RequestOptions().setMethod(method).setAbsoluteURI(url)
        .setConnectTimeout(Math.max(1, timeoutMs)).setIdleTimeout(Math.max(1, timeoutMs));
    if (keyId != null) {
      ro.putHeader(HeBackendServer.KEY_HEADER, keyId);
    }
    ro.putHeader("Content-Type", "application/octet-stream");
    String token = tokens.apply(b.name());
    if (token != null) {
      ro.putHeader("Authorization", "Bearer " + token);
    }
    http(b).request(ro)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(buf -> new Reply(resp.statusCode(), buf)))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            p.tryComplete(ar.result());
          } else {
            p.tryFail(new StageRejection(503, "he_backend_unavailable",
                "the HE backend is unavailable: " + ar.cause().getClass().getSimpleName()));
          }
        });
    return p.future();
  }

  private static String base(Backend b) {
    String u = b.url().toString();
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  /**
   * Encrypted inference; pushes the key set first when this backend has not got it. Refused at once
   * (503) while the backend's circuit is open.
   */
  Future<byte[]> infer(Backend backend, String model, TenantKey tk, byte[] query) {
    CircuitBreaker cb = breaker(backend);
    if (!cb.tryAcquire()) {
      return Future.failedFuture(new StageRejection(503, "he_backend_unavailable", "HE backend '" + backend.name()
          + "' is unavailable: circuit open after repeated failures"));
    }
    return inferOnce(backend, model, tk, query).onComplete(ar -> {
      if (ar.failed() && ar.cause() instanceof StageRejection r && r.status() == 503) {
        boolean wasOpen = cb.state() == CircuitBreaker.State.OPEN;
        cb.onFailure();
        if (!wasOpen && cb.state() == CircuitBreaker.State.OPEN) {
          LOG.warning("HE backend '" + backend.name() + "' circuit opened for " + backend.openMs()
              + " ms after repeated failures (last: " + r.getMessage() + ")");
        }
      } else {
        cb.onSuccess();
      }
    });
  }

  /** Whether requests to this backend are being refused at once (its circuit is open). */
  boolean circuitOpen(Backend backend) {
    return breaker(backend).state() == CircuitBreaker.State.OPEN;
  }

  /** The breaker for this backend's current settings (a reload that changes them starts a closed one). */
  CircuitBreaker breaker(Backend backend) {
    return breakers.compute(backend.name(), (name, old) -> old != null && old.spec().equals(backend) ? old
        : new Breaker(backend, new CircuitBreaker(backend.failureThreshold(), backend.openMs(), System::nanoTime)))
        .breaker();
  }

  private Future<byte[]> inferOnce(Backend backend, String model, TenantKey tk, byte[] query) {
    String url = base(backend);
    Future<Void> pushed = tk.pushedTo.containsKey(url) ? Future.succeededFuture() : push(backend, model, tk);
    return pushed.compose(v -> post(backend, model, tk, query)).compose(r -> {
      if (r.status() == 404 && "unknown_key".equals(code(r.body()))) {
        tk.pushedTo.remove(url); // evicted or restarted backend: push once more
        return push(backend, model, tk).compose(v -> post(backend, model, tk, query)).map(HeClient::ok);
      }
      return Future.succeededFuture(ok(r));
    });
  }

  private Future<Reply> post(Backend backend, String model, TenantKey tk, byte[] query) {
    String url = base(backend) + "/v1/models/" + enc(model) + "/infer";
    return send(backend, HttpMethod.POST, url, tk.keyId, Buffer.buffer(query), backend.timeoutMs());
  }

  private Future<Void> push(Backend backend, String model, TenantKey tk) {
    String url = base(backend) + "/v1/keys/" + enc(tk.keyId) + "?model=" + enc(model);
    return send(backend, HttpMethod.PUT, url, null, Buffer.buffer(tk.evaluationKeys),
        Math.max(backend.timeoutMs(), 30_000))
        .map(r -> {
          if (r.status() != 204) {
            throw error(r, "registering the evaluation keys");
          }
          tk.pushedTo.put(base(backend), backend);
          return null;
        });
  }

  /** Best effort: tells the backend to forget a retired key id. */
  void retire(Backend backend, String keyId) {
    send(backend, HttpMethod.DELETE, base(backend) + "/v1/keys/" + enc(keyId), null, null, 10_000);
  }

  private static byte[] ok(Reply r) {
    if (r.status() != 200) {
      throw error(r, "encrypted inference");
    }
    return r.body().getBytes();
  }

  private static StageRejection error(Reply r, String what) {
    String code = code(r.body());
    if (r.status() == 503 || r.status() == 504) {
      return new StageRejection(503, "he_backend_unavailable", "the HE backend is busy or slow (" + r.status()
          + (code == null ? "" : " " + code) + ") during " + what);
    }
    return new StageRejection(502, "he_backend_error", "the HE backend answered " + r.status()
        + (code == null ? "" : " " + code) + " during " + what);
  }

  private static String code(Buffer b) {
    try {
      JsonNode n = JSON.readTree(b.getBytes());
      return n != null && n.hasNonNull("code") ? n.get("code").asText() : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  void close() {
    clients.values().forEach(HttpClient::close);
  }
}
