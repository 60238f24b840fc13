package dev.warden.gateway.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.gateway.auth.Authenticator.Identity;
import dev.warden.gateway.metrics.GatewayMetrics;
import dev.warden.gateway.pipeline.ComputeBackend;
import dev.warden.gateway.pipeline.Endpoint;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.RequestTarget;
import dev.warden.gateway.pipeline.Stage;
import dev.warden.gateway.pipeline.StageAnswer;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.gateway.protocol.ChatRequest;
import dev.warden.gateway.protocol.InferenceMessage;
import dev.warden.gateway.protocol.MalformedInputException;
import dev.warden.gateway.protocol.OipCodec;
import dev.warden.gateway.protocol.SseParser;
import dev.warden.gateway.protocol.TfCodec;
import dev.warden.gateway.protocol.TokenUsage;
import dev.warden.gateway.stages.BodyReader;
import dev.warden.gateway.upstream.BackendClient;
import dev.warden.policies.Protocol;
import dev.warden.policies.Specs.ComputeRule;
import dev.warden.policies.Specs.Route;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The data-plane request handler: steps 1 and 2 of the pipeline (identify, route) here, then the
 * route's stages in phase order, then forwarding and the way back (response stages in reverse order,
 * metrics, audit). Runs on the event loop; nothing here blocks.
 *
 * <p>Responses are relayed as a stream unless a stage must rewrite them (then buffered and
 * re-encoded) or they are OpenAI completions whose usage is read. SSE streams are relayed chunk by
 * chunk while a side parser reads token usage.
 */
public final class DataPlane implements Handler<HttpServerRequest> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ID_PREFIX = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));

  private final Supplier<PolicyRuntime> runtime;
  private final GatewayMetrics metrics;
  private final BooleanSupplier ready;
  private final AtomicLong ids = new AtomicLong();
  private final java.util.Map<Protocol, ComputeBackend> computeBackends;
  private volatile dev.warden.gateway.fl.FederatedEndpoints federated;

  public DataPlane(Supplier<PolicyRuntime> runtime, GatewayMetrics metrics, BooleanSupplier ready,
      java.util.Map<Protocol, ComputeBackend> computeBackends) {
    this.runtime = runtime;
    this.metrics = metrics;
    this.ready = ready;
    this.computeBackends = java.util.Map.copyOf(computeBackends);
  }

  /** Serves {@code /v1/fl/...} with {@code f} (null: 404). */
  public DataPlane federated(dev.warden.gateway.fl.FederatedEndpoints f) {
    this.federated = f;
    return this;
  }

  @Override
  public void handle(HttpServerRequest req) {
    long start = System.nanoTime();
    boolean hasBody = req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD;
    if (hasBody) {
      req.pause();
    }
    String rid = requestId(req);
    req.response().putHeader("X-Request-Id", rid);
    RequestTarget target = RequestTarget.parse(req.method(), req.path());
    PolicyRuntime rt = runtime.get();
    if (target == null) {
      bare(req, 404, "not_found", "no endpoint " + req.method() + " " + req.path(), start);
      return;
    }
    if (rt == null) {
      bare(req, 503, "not_ready", "the gateway has no valid policy loaded yet", start);
      return;
    }
    Exchange ex = new Exchange(rid, start, req, target);
    if (target.endpoint() == Endpoint.FL_ROUNDS) { // authenticates with rt.authenticator(), audits itself
      if (federated == null) {
        bare(req, 404, "not_found", "federated rounds are not served by this gateway", start);
      } else {
        federated.handle(ex, rt, peerCertificates(req));
      }
      return;
    }
    if (target.endpoint() == Endpoint.OIP_HEALTH) {
      health(ex, rt);
      return;
    }
    try {
      Identity id = rt.authenticator().authenticate(req.getHeader("Authorization"), peerCertificates(req));
      ex.identify(id.tenant(), id.method());
    } catch (StageRejection r) {
      ex.verdict("identify", StageVerdict.REJECT, r.code());
      reject(ex, rt, r);
      return;
    }
    switch (target.endpoint()) {
      case OPENAI_CHAT -> readChat(ex, rt);
      case OPENAI_MODELS -> listModels(ex, rt);
      case OIP_SERVER_METADATA -> serverMetadata(ex, rt);
      default -> route(ex, rt);
    }
  }

  // ---------------------------------------------------------------- steps 1-2 helpers

  private String requestId(HttpServerRequest req) {
    String given = req.getHeader("X-Request-Id");
    if (given != null && given.length() <= 128 && given.chars().allMatch(c ->
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
      return given;
    }
    return ID_PREFIX + "-" + Long.toHexString(ids.incrementAndGet());
  }

  private static List<Certificate> peerCertificates(HttpServerRequest req) {
    if (!req.isSSL()) {
      return List.of();
    }
    try {
      return req.connection().peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private void readChat(Exchange ex, PolicyRuntime rt) {
    BodyReader.read(ex.request(), rt.maxOpenAiBody()).onComplete(ar -> {
      if (ar.failed()) {
        reject(ex, rt, asRejection(ar.cause()));
        return;
      }
      ex.body(ar.result());
      try {
        ex.chat(ChatRequest.decode(ar.result()));
      } catch (MalformedInputException e) {
        reject(ex, rt, new StageRejection(422, "malformed_input", e.getMessage()));
        return;
      }
      route(ex, rt);
    });
  }

  private void route(Exchange ex, PolicyRuntime rt) {
    RouteRuntime rr = rt.match(ex.protocol(), ex.model(), ex.modelVersion());
    if (rr == null) {
      ex.verdict("route", StageVerdict.REJECT, "no route");
      reject(ex, rt, new StageRejection(404, "model_not_found", "no route serves model '" + ex.model() + "'"
          + (ex.modelVersion() == null ? "" : " version " + ex.modelVersion()) + " over "
          + ex.protocol().wireName()));
      return;
    }
    ex.route(rr.route());
    ex.stages(rr.stages());
    if (!rr.route().allowsTenant(ex.tenant())) {
      ex.verdict("route", StageVerdict.REJECT, "tenant not allowed");
      reject(ex, rt, new StageRejection(403, "forbidden", "tenant '" + ex.tenant() + "' may not use route '"
          + rr.route().name() + "'"));
      return;
    }
    runStages(ex, rt, rr, 0);
  }

  private void runStages(Exchange ex, PolicyRuntime rt, RouteRuntime rr, int from) {
    walk(ex, rt, rr.stages(), from, +1, Stage::onRequest, () -> forward(ex, rt, rr));
  }

  /**
   * Calls {@code hook} on the stages from index {@code i} in direction {@code step} (+1: the request's way
   * down, -1: the response's way back), waiting for each future a stage returns, then runs {@code then}.
   * A rejection (thrown or failed future) answers with its status and JSON and records the stage's verdict;
   * a {@link StageAnswer} answers locally; anything else is a 500 naming the stage.
   */
  private void walk(Exchange ex, PolicyRuntime rt, List<Stage> stages, int i, int step,
      BiFunction<Stage, Exchange, Future<Void>> hook, Runnable then) {
    for (; i >= 0 && i < stages.size(); i += step) {
      Stage s = stages.get(i);
      Future<Void> f;
      try {
        f = hook.apply(s, ex);
      } catch (StageRejection r) {
        ex.verdict(s.name(), StageVerdict.REJECT, r.code());
        reject(ex, rt, r);
        return;
      } catch (StageAnswer a) {
        answer(ex, rt, a);
        return;
      } catch (RuntimeException e) {
        reject(ex, rt, internal(s, e));
        return;
      }
      if (f != null) {
        int next = i + step;
        f.onComplete(ar -> {
          if (ar.failed() && ar.cause() instanceof StageAnswer a) {
            answer(ex, rt, a);
          } else if (ar.failed()) {
            StageRejection r = asRejection(ar.cause());
            ex.verdict(s.name(), StageVerdict.REJECT, r.code());
            reject(ex, rt, r);
          } else {
            walk(ex, rt, stages, next, step, hook, then);
          }
        });
        return;
      }
    }
    then.run();
  }

  private static StageRejection internal(Stage s, Throwable e) {
    return new StageRejection(500, "internal_error", "stage " + s.name() + " failed: " + e.getClass().getSimpleName());
  }

  private static StageRejection asRejection(Throwable t) {
    if (t instanceof StageRejection r) {
      return r;
    }
    return new StageRejection(500, "internal_error", "unexpected failure: " + t.getClass().getSimpleName());
  }

  // ---------------------------------------------------------------- step 8: forward

  static String selectBackend(Route route, Exchange ex) {
    for (ComputeRule rule : route.compute()) {
      if (rule.unconditional()) {
        return rule.backend();
      }
      boolean tenantOk = rule.tenants().isEmpty() || rule.tenants().contains(ex.tenant());
      boolean headersOk = true;
      for (var h : rule.headers().entrySet()) {
        String v = ex.request().getHeader(h.getKey());
        if (v == null || !v.equalsIgnoreCase(h.getValue())) {
          headersOk = false;
          break;
        }
      }
      if (tenantOk && headersOk) {
        return rule.backend();
      }
    }
    return route.compute().get(route.compute().size() - 1).backend();
  }

  private void forward(Exchange ex, PolicyRuntime rt, RouteRuntime rr) {
    String backendName = selectBackend(rr.route(), ex);
    BackendClient client = rt.backends().get(backendName);
    ex.backend(backendName);
    HttpServerRequest req = ex.request();
    MultiMap headers = ForwardHeaders.toBackend(req.headers(), ex.requestId(), remote(req), req.isSSL());
    Buffer body = ex.body();
    InferenceMessage m = ex.inference();
    if (m != null) {
      if (ex.endpoint() == Endpoint.OIP_INFER) {
        OipCodec.Encoded enc = OipCodec.encode(m, "inputs");
        body = enc.body();
        if (enc.headerLength() >= 0) {
          headers.set(OipCodec.HEADER_LENGTH, Integer.toString(enc.headerLength()));
        }
      } else {
        body = TfCodec.encode(m);
      }
    }
    if (body == null && req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      body = Buffer.buffer();
    }
    ComputeBackend special = computeBackends.get(client.spec().protocol());
    if (special != null) {
      special.compute(ex, client.spec()).onComplete(ar -> {
        if (ar.failed()) {
          ex.verdict("forward", StageVerdict.REJECT, asRejection(ar.cause()).code());
          reject(ex, rt, asRejection(ar.cause()));
        } else {
          ComputeBackend.Response r = ar.result();
          completeBuffered(ex, rt, rr, r.status(), r.headers(), r.body());
        }
      });
      return;
    }
    long idle = Math.min(rr.route().limits().timeoutMs(), client.spec().timeoutMs());
    boolean idempotent = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD;
    client.send(req.method(), req.uri(), headers, body, idle, idempotent).onComplete(ar -> {
      if (ar.failed()) {
        ex.verdict("forward", StageVerdict.REJECT, asRejection(ar.cause()).code());
        reject(ex, rt, asRejection(ar.cause()));
        return;
      }
      HttpClientResponse resp = ar.result();
      String ct = resp.getHeader("Content-Type");
      boolean sse = ct != null && ct.regionMatches(true, 0, "text/event-stream", 0, 17);
      // an OIP/TF route whose outputs are rewritten (DP noise) never relays a raw stream: buffered, it fails to parse
      if (sse && (!rr.rewritesResponse() || ex.endpoint() == Endpoint.OPENAI_CHAT)) {
        stream(ex, rt, client, resp, true);
      } else if (rr.rewritesResponse() || ex.endpoint() == Endpoint.OPENAI_CHAT) {
        buffered(ex, rt, rr, client, resp);
      } else {
        stream(ex, rt, client, resp, false);
      }
    });
  }

  private static String remote(HttpServerRequest req) {
    return req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
  }

  private void buffered(Exchange ex, PolicyRuntime rt, RouteRuntime rr, BackendClient client,
      HttpClientResponse resp) {
    resp.body().onComplete(ar -> {
      if (ar.failed()) {
        reject(ex, rt, client.bodyFailure(ar.cause()));
        return;
      }
      completeBuffered(ex, rt, rr, resp.statusCode(), resp.headers(), ar.result());
    });
  }

  private void completeBuffered(Exchange ex, PolicyRuntime rt, RouteRuntime rr, int status, MultiMap headers,
      Buffer body) {
    ex.response(status, headers, body);
    if (ex.endpoint() == Endpoint.OPENAI_CHAT && status == 200) {
      try {
        JsonNode completion = JSON.readTree(body.getBytes());
        ex.usage(TokenUsage.from(completion));
      } catch (IOException e) {
        // not JSON: relayed as is; usage stays unknown
      }
    }
    if (rr.rewritesResponse() && status == 200) {
      try {
        decodeResponse(ex, headers);
        List<Stage> stages = rr.stages();
        for (int i = stages.size() - 1; i >= 0; i--) {
          stages.get(i).onResponse(ex);
        }
        encodeResponse(ex);
      } catch (StageRejection r) {
        reject(ex, rt, r);
        return;
      } catch (MalformedInputException e) {
        reject(ex, rt, new StageRejection(502, "backend_malformed_response", "backend answered a body the "
            + "gateway cannot parse: " + e.getMessage()));
        return;
      }
    }
    walk(ex, rt, rr.stages(), rr.stages().size() - 1, -1, Stage::beforeRelease, () -> write(ex, rt, headers));
  }

  /** Writes the buffered (possibly rewritten) response once every stage let it go. */
  private void write(Exchange ex, PolicyRuntime rt, MultiMap headers) {
    HttpServerResponse out = ex.request().response();
    if (out.closed()) {
      finish(ex, rt, 499);
      return;
    }
    out.setStatusCode(ex.responseStatus());
    ForwardHeaders.toClient(headers, out.headers(), false);
    Buffer b = ex.responseBody();
    out.putHeader("Content-Length", Integer.toString(b.length()));
    out.end(b);
    finish(ex, rt, ex.responseStatus());
  }

  private static void decodeResponse(Exchange ex, MultiMap headers) throws MalformedInputException {
    if (ex.endpoint() == Endpoint.OIP_INFER) {
      ex.responseInference(OipCodec.decodeResponse(ex.responseBody(), headers.get(OipCodec.HEADER_LENGTH)));
    } else if (ex.endpoint() == Endpoint.TF_PREDICT) {
      ex.responseInference(TfCodec.decodeResponse(ex.responseBody()));
    }
  }

  private static void encodeResponse(Exchange ex) {
    InferenceMessage m = ex.responseInference();
    if (m == null || !m.modified()) {
      return;
    }
    if (ex.endpoint() == Endpoint.OIP_INFER) {
      OipCodec.Encoded enc = OipCodec.encode(m, "outputs");
      ex.responseBody(enc.body());
      if (enc.headerLength() >= 0) {
        ex.responseHeaders().set(OipCodec.HEADER_LENGTH, Integer.toString(enc.headerLength()));
      }
    } else {
      ex.responseBody(TfCodec.encode(m));
    }
  }

  private void stream(Exchange ex, PolicyRuntime rt, BackendClient client, HttpClientResponse resp, boolean sse) {
    HttpServerResponse out = ex.request().response();
    int status = resp.statusCode();
    ex.responseStatus(status);
    out.setStatusCode(status);
    String length = resp.getHeader("Content-Length");
    ForwardHeaders.toClient(resp.headers(), out.headers(), length != null && !sse);
    if (length == null || sse) {
      out.headers().remove("Content-Length");
      out.setChunked(true);
    }
    SseParser parser = sse ? new SseParser(data -> {
      if (!data.equals("[DONE]") && data.contains("\"usage\"")) {
        try {
          TokenUsage u = TokenUsage.from(JSON.readTree(data));
          if (u != null) {
            ex.usage(u);
          }
        } catch (IOException e) {
          // a malformed event is relayed; the client decides
        }
      }
    }) : null;
    boolean[] done = {false};
    out.closeHandler(v -> {
      if (!done[0]) {
        done[0] = true;
        resp.request().reset();
        finish(ex, rt, 499);
      }
    });
    resp.handler(chunk -> {
      if (parser != null) {
        parser.feed(chunk);
      }
      out.write(chunk);
      if (out.writeQueueFull()) {
        resp.pause();
        out.drainHandler(v -> resp.resume());
      }
    });
    resp.endHandler(v -> {
      if (done[0]) {
        return;
      }
      done[0] = true;
      out.end();
      finish(ex, rt, status);
    });
    resp.exceptionHandler(t -> {
      if (done[0]) {
        return;
      }
      done[0] = true;
      StageRejection r = client.bodyFailure(t);
      ex.errorCode(r.code());
      ex.verdict("forward", StageVerdict.REJECT, "stream interrupted: " + r.code());
      if (sse) {
        // Headers are out: tell an SSE client in-band, then end the stream cleanly.
        out.end(Buffer.buffer("event: error\ndata: " + Errors.body("backend_stream_interrupted",
            r.getMessage()) + "\n\n"));
      } else {
        // A truncated body must not look complete: drop the connection.
        out.reset();
      }
      finish(ex, rt, r.status());
    });
  }

  // ---------------------------------------------------------------- local answers

  /**
   * OIP server health, answered from the gateway's own view (not passed to one backend): live while
   * the gateway serves; ready while it is ready itself and at least one OIP backend answers its own
   * {@code /v2/health/ready} with 200 (probed in parallel, 2 s). One ready backend suffices because
   * per-model readiness has its own endpoint ({@code /v2/models/{m}/ready}, passed through); a
   * policy without OIP backends is ready when the gateway is.
   */
  private void health(Exchange ex, PolicyRuntime rt) {
    HttpServerRequest req = ex.request();
    if ("live".equals(ex.modelVersion())) {
      req.response().putHeader("Content-Type", "application/json").end("{\"live\":true}");
      return;
    }
    if (!ready.getAsBoolean()) {
      bare(req, 503, "not_ready", "the gateway is not ready", ex.startNanos());
      return;
    }
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (RouteRuntime r : rt.routes()) {
      if (r.route().protocol() == Protocol.OIP) {
        r.route().compute().forEach(c -> names.add(c.backend()));
      }
    }
    List<Future<Void>> probes = new java.util.ArrayList<>();
    for (String name : names) {
      BackendClient c = rt.backends().get(name);
      if (c != null && c.spec().protocol() == Protocol.OIP) {
        probes.add(c.send(HttpMethod.GET, "/v2/health/ready", ForwardHeaders.toBackend(req.headers(),
            ex.requestId(), remote(req), req.isSSL()), null, 2000, false).compose(resp -> resp.body().compose(b ->
                resp.statusCode() == 200 ? Future.succeededFuture()
                    : Future.failedFuture("backend '" + name + "' answered " + resp.statusCode()))));
      }
    }
    if (probes.isEmpty()) {
      req.response().putHeader("Content-Type", "application/json").end("{\"ready\":true}");
      return;
    }
    Future.any(probes).onComplete(ar -> {
      if (ar.succeeded()) {
        req.response().putHeader("Content-Type", "application/json").end("{\"ready\":true}");
      } else {
        bare(req, 503, "not_ready", "no OIP backend is ready", ex.startNanos());
      }
    });
  }

  private void serverMetadata(Exchange ex, PolicyRuntime rt) {
    for (RouteRuntime r : rt.routes()) {
      if (r.route().protocol() == Protocol.OIP && r.route().allowsTenant(ex.tenant())) {
        ex.route(r.route());
        forward(ex, rt, r);
        return;
      }
    }
    reject(ex, rt, new StageRejection(404, "model_not_found", "no OIP route for tenant '" + ex.tenant() + "'"));
  }

  private void listModels(Exchange ex, PolicyRuntime rt) {
    ObjectNode root = JSON.createObjectNode().put("object", "list");
    ArrayNode data = root.putArray("data");
    for (RouteRuntime r : rt.routes()) {
      Route route = r.route();
      if (route.protocol() == Protocol.OPENAI && !route.model().equals("*") && route.allowsTenant(ex.tenant())) {
        data.addObject().put("id", route.model()).put("object", "model").put("created", 0).put("owned_by", "warden");
      }
    }
    ex.request().response().putHeader("Content-Type", "application/json").end(root.toString());
    finish(ex, rt, 200);
  }

  // ---------------------------------------------------------------- errors + step 10

  private void answer(Exchange ex, PolicyRuntime rt, StageAnswer a) {
    HttpServerResponse out = ex.request().response();
    if (ex.body() == null && ex.request().method() != HttpMethod.GET && !ex.request().isEnded()) {
      out.putHeader("Connection", "close");
    }
    if (a.headers() != null) {
      ForwardHeaders.toClient(a.headers(), out.headers(), false);
    }
    out.setStatusCode(a.status()).putHeader("Content-Length", Integer.toString(a.body().length())).end(a.body());
    finish(ex, rt, a.status());
  }

  private void reject(Exchange ex, PolicyRuntime rt, StageRejection r) {
    ex.errorCode(r.code());
    HttpServerRequest req = ex.request();
    if (r.status() == 413 || (ex.body() == null && req.method() != HttpMethod.GET && !req.isEnded())) {
      // The body was not read: close the connection rather than read (possibly huge) input.
      req.response().putHeader("Connection", "close");
    }
    Errors.write(req.response(), r.status(), r.code(), r.getMessage());
    finish(ex, rt, r.status());
  }

  private void bare(HttpServerRequest req, int status, String code, String message, long start) {
    if (req.method() != HttpMethod.GET && !req.isEnded()) {
      req.response().putHeader("Connection", "close");
    }
    Errors.write(req.response(), status, code, message);
    metrics.request("", status, System.nanoTime() - start);
  }

  private void finish(Exchange ex, PolicyRuntime rt, int status) {
    long nanos = System.nanoTime() - ex.startNanos();
    String route = ex.route() == null ? "" : ex.route().name();
    metrics.request(route, status, nanos);
    TokenUsage u = ex.usage();
    if (u != null) {
      metrics.tokens(route, "prompt", u.promptTokens());
      metrics.tokens(route, "completion", u.completionTokens());
    }
    for (Stage s : ex.stages()) {
      try {
        s.onFinish(ex, status);
      } catch (RuntimeException e) {
        // a stage's clean-up must not keep the exchange from being recorded
      }
    }
    rt.audit().record(ex, status, nanos);
  }
}
