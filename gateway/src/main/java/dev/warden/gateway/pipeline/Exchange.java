package dev.warden.gateway.pipeline;

import dev.warden.gateway.protocol.ChatRequest;
import dev.warden.gateway.protocol.InferenceMessage;
import dev.warden.gateway.protocol.TokenUsage;
import dev.warden.policies.Protocol;
import dev.warden.policies.Specs.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one request carries through the pipeline. Only the event loop that accepted the request
 * touches it, so it needs no locking. Stages that add capabilities keep their own per-request state
 * under a typed {@link Key} rather than new fields here.
 */
public final class Exchange {
  /** A typed slot for a stage's per-request state. Compare by identity; create one per use. */
  public static final class Key<T> {
    private final String name;

    public Key(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private final String requestId;
  private final long startNanos;
  private final HttpServerRequest request;
  private final Endpoint endpoint;
  private final String model;
  private final String modelVersion;
  private final List<StageVerdict> verdicts = new ArrayList<>(8);
  private Map<Key<?>, Object> attributes;

  private String tenant;
  private String authMethod;
  private Route route;
  private List<Stage> stages = List.of();
  private Buffer body;
  private InferenceMessage inference;
  private ChatRequest chat;
  private String chatModel;
  private String backend;
  private String compute = "plain";
  private String modelDigest;
  private String inputDigest;

  private int responseStatus;
  private MultiMap responseHeaders;
  private Buffer responseBody;
  private InferenceMessage responseInference;
  private TokenUsage usage;
  private String errorCode;

  public Exchange(String requestId, long startNanos, HttpServerRequest request, RequestTarget target) {
    this.requestId = requestId;
    this.startNanos = startNanos;
    this.request = request;
    this.endpoint = target.endpoint();
    this.model = target.model();
    this.modelVersion = target.version();
  }

  public String requestId() {
    return requestId;
  }

  public long startNanos() {
    return startNanos;
  }

  public HttpServerRequest request() {
    return request;
  }

  public Protocol protocol() {
    return endpoint.protocol();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** The model named by the path (OIP, TF) or, for OpenAI, by the body once parsed. */
  public String model() {
    return chatModel != null ? chatModel : model;
  }

  /** The version named in the path, or null. */
  public String modelVersion() {
    return modelVersion;
  }

  public String tenant() {
    return tenant;
  }

  public String authMethod() {
    return authMethod;
  }

  public void identify(String tenantId, String method) {
    this.tenant = tenantId;
    this.authMethod = method;
  }

  public Route route() {
    return route;
  }

  public void route(Route r) {
    this.route = r;
  }

  /** The stages of the matched route (for the pipeline's end-of-exchange calls). */
  public List<Stage> stages() {
    return stages;
  }

  public void stages(List<Stage> s) {
    this.stages = s;
  }

  public Buffer body() {
    return body;
  }

  public void body(Buffer b) {
    this.body = b;
  }

  /** The parsed OIP / TF request, or null for other protocols or before parsing. */
  public InferenceMessage inference() {
    return inference;
  }

  public void inference(InferenceMessage m) {
    this.inference = m;
  }

  public ChatRequest chat() {
    return chat;
  }

  public void chat(ChatRequest c) {
    this.chat = c;
    this.chatModel = c.model();
  }

  public String backend() {
    return backend;
  }

  public void backend(String name) {
    this.backend = name;
  }

  public String compute() {
    return compute;
  }

  public void compute(String c) {
    this.compute = c;
  }

  public String modelDigest() {
    return modelDigest;
  }

  public void modelDigest(String d) {
    this.modelDigest = d;
  }

  public String inputDigest() {
    return inputDigest;
  }

  public void inputDigest(String d) {
    this.inputDigest = d;
  }

  public List<StageVerdict> verdicts() {
    return verdicts;
  }

  public void verdict(String stage, String verdict, String detail) {
    verdicts.add(new StageVerdict(stage, verdict, detail));
  }

  public int responseStatus() {
    return responseStatus;
  }

  public MultiMap responseHeaders() {
    return responseHeaders;
  }

  public Buffer responseBody() {
    return responseBody;
  }

  /** Set by the forwarding stage when the response was buffered. */
  public void response(int status, MultiMap headers, Buffer body) {
    this.responseStatus = status;
    this.responseHeaders = headers;
    this.responseBody = body;
  }

  public void responseStatus(int status) {
    this.responseStatus = status;
  }

  public void responseBody(Buffer b) {
    this.responseBody = b;
  }

  /** The parsed OIP/TF response, when a stage asked for it. */
  public InferenceMessage responseInference() {
    return responseInference;
  }

  public void responseInference(InferenceMessage m) {
    this.responseInference = m;
  }

  public TokenUsage usage() {
    return usage;
  }

  public void usage(TokenUsage u) {
    this.usage = u;
  }

  public String errorCode() {
    return errorCode;
  }

  public void errorCode(String code) {
    this.errorCode = code;
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    return attributes == null ? null : (T) attributes.get(key);
  }

  public <T> void put(Key<T> key, T value) {
    if (attributes == null) {
      attributes = new IdentityHashMap<>(4);
    }
    attributes.put(key, value);
  }
}
