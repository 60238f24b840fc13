package dev.warden.gateway.upstream;

import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.policies.Specs.Backend;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * One backend: a pooled, keep-alive HTTP client, its circuit breaker, and retries of failures that
 * certainly did not reach the backend (connection refused or connect timeout — safe for any method)
 * plus, for idempotent requests only, 502/503/504 answers. Immutable config; thread-safe.
 */
public final class BackendClient implements AutoCloseable {
  private final Backend spec;
  private final HttpClientAgent client;
  private final CircuitBreaker breaker;
  private final String host;
  private final int port;
  private final String basePath;

  public BackendClient(Vertx vertx, Backend spec) {
    this.spec = spec;
    boolean tls = spec.url().getScheme().equals("https");
    this.host = spec.url().getHost();
    this.port = spec.url().getPort() > 0 ? spec.url().getPort() : tls ? 443 : 80;
    String p = spec.url().getRawPath();
    this.basePath = p == null || p.equals("/") ? "" : p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setTcpNoDelay(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, spec.connectTimeoutMs()))
        .setDecompressionSupported(false)
        .setSsl(tls);
    applyTls(options, spec);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(spec.maxConnections()));
    this.breaker = new CircuitBreaker(spec.failureThreshold(), spec.openMs(), System::nanoTime);
  }

  /**
   * For an {@code https://} backend: host-name verification, the policy's CA ({@code tls.caFile}) and client
   * certificate ({@code tls.clientCertFile}/{@code clientKeyFile}). Nothing for plain HTTP. Shared with the
   * HE client so both talk TLS to a backend the same way.
   */
  public static void applyTls(HttpClientOptions options, Backend spec) {
    if (!"https".equals(spec.url().getScheme())) {
      return;
    }
    options.setVerifyHost(true);
    spec.tls().ifPresent(t -> {
      t.caFile().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
      t.clientCertFile().ifPresent(c -> options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(c.toString())
          .setKeyPath(t.clientKeyFile().orElseThrow().toString())));
    });
  }

  public Backend spec() {
    return spec;
  }

  public CircuitBreaker breaker() {
    return breaker;
  }

  /**
   * Sends a request and completes with the response whose body is not yet read (the caller streams
   * or buffers it). Fails with a {@link StageRejection} (502/504) when the backend cannot answer.
   *
   * @param idleTimeoutMs the longest silence tolerated (before headers, and between body chunks)
   */
  public Future<HttpClientResponse> send(HttpMethod method, String pathAndQuery, MultiMap headers, Buffer body,
      long idleTimeoutMs, boolean idempotent) {
    Promise<HttpClientResponse> promise = Promise.promise();
    attempt(method, basePath + pathAndQuery, headers, body, idleTimeoutMs, idempotent, 0, promise);
    return promise.future();
  }

  private void attempt(HttpMethod method, String uri, MultiMap headers, Buffer body, long idleTimeoutMs,
      boolean idempotent, int attempt, Promise<HttpClientResponse> promise) {
    if (!breaker.tryAcquire()) {
      promise.fail(new StageRejection(502, "backend_unavailable",
          "backend '" + spec.name() + "' is unavailable: circuit open after repeated failures"));
      return;
    }
    RequestOptions ro = new RequestOptions()
        .setMethod(method)
        .setHost(host)
        .setPort(port)
        .setURI(uri)
        .setHeaders(headers)
        .setIdleTimeout(idleTimeoutMs);
    // Callbacks rather than compose(): one future less per request on the way to the backend.
    client.request(ro).onComplete(rq -> {
      if (rq.failed()) {
        failed(rq.cause(), method, uri, headers, body, idleTimeoutMs, idempotent, attempt, promise);
        return;
      }
      HttpClientRequest req = rq.result();
      (body == null ? req.send() : req.send(body)).onComplete(ar -> {
        if (ar.failed()) {
          failed(ar.cause(), method, uri, headers, body, idleTimeoutMs, idempotent, attempt, promise);
          return;
        }
        HttpClientResponse resp = ar.result();
        int s = resp.statusCode();
        boolean backendError = s == 502 || s == 503 || s == 504;
        if (backendError) {
          breaker.onFailure();
        } else {
          breaker.onSuccess();
        }
        if (backendError && idempotent && attempt < spec.retries()) {
          resp.body().onComplete(ignored ->
              attempt(method, uri, headers, body, idleTimeoutMs, idempotent, attempt + 1, promise));
          return;
        }
        promise.complete(resp);
      });
    });
  }

  private void failed(Throwable t, HttpMethod method, String uri, MultiMap headers, Buffer body, long idleTimeoutMs,
      boolean idempotent, int attempt, Promise<HttpClientResponse> promise) {
    breaker.onFailure();
    if (BackendFailure.notSent(t) && attempt < spec.retries()) {
      attempt(method, uri, headers, body, idleTimeoutMs, idempotent, attempt + 1, promise);
      return;
    }
    promise.fail(BackendFailure.toRejection(spec.name(), t));
  }

  /** Maps a failure while reading a response body to a rejection. */
  public StageRejection bodyFailure(Throwable t) {
    breaker.onFailure();
    return BackendFailure.toRejection(spec.name(), t);
  }

  @Override
  public void close() {
    client.close();
  }
}
