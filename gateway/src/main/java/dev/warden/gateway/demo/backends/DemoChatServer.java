package dev.warden.gateway.demo.backends;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A <b>test double</b> of an OpenAI-compatible chat backend, for the demo and for tests. It runs no language
 * model: its reply is a fixed template filled from the last user message, so the same request always gets
 * the same text.
 *
 * <p>Reply template (see {@link #replyTo(String)}):
 * {@code [demo-chat test double] You said: "<first 120 characters of the last user message>" (<w> words,
 * <c> characters).}
 *
 * <h2>Endpoints</h2>
 * <ul>
 *   <li>{@code POST /v1/chat/completions} for model {@value #MODEL}: non-streaming, with {@code usage}; or
 *       with {@code "stream": true} as server-sent events, one {@code data: {chunk}} event per word, a
 *       configurable delay between events so streaming is visible, a usage chunk (empty {@code choices})
 *       when {@code stream_options.include_usage} is true, then {@code data: [DONE]}.
 *       {@code max_tokens} / {@code max_completion_tokens} cut the reply (finish reason {@code length}).
 *   <li>{@code GET /v1/models} and {@code GET /v1/models/demo-chat}
 * </ul>
 * Token counts are word counts (whitespace-separated), not a real tokenizer: prompt tokens are the words of
 * every message's text, completion tokens the words sent. Errors use OpenAI's shape
 * {@code {"error": {"message", "type", "param", "code"}}} so OpenAI clients report them as they would for
 * the real service.
 *
 * <h2>Security</h2>
 * No authentication and no TLS; bind it to loopback and put the gateway in front.
 */
public final class DemoChatServer {
  /** The only model this backend serves. */
  public static final String MODEL = "demo-chat";

  /** Delay between streamed chunks used by {@link #start(Vertx, String, int)}. */
  public static final Duration DEFAULT_CHUNK_DELAY = Duration.ofMillis(20);

  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  static final String LABEL = "[demo-chat test double]";
  private static final int EXCERPT_CHARS = 120;
  private static final String SYSTEM_FINGERPRINT = "warden-demo";

  private final Vertx vertx;
  private final long chunkDelayMs;
  private final ObjectMapper mapper = new ObjectMapper();
  private volatile Listeners listeners;

  private DemoChatServer(Vertx vertx, Duration chunkDelay) {
    this.vertx = vertx;
    this.chunkDelayMs = chunkDelay.toMillis();
  }

  /** Starts the backend with {@link #DEFAULT_CHUNK_DELAY} between streamed chunks. */
  public static Future<DemoChatServer> start(Vertx vertx, String host, int port) {
    return start(vertx, host, port, DEFAULT_CHUNK_DELAY);
  }

  /**
   * Starts the backend.
   *
   * @param port port to bind; 0 picks a free port (see {@link #actualPort()})
   * @param chunkDelay pause between streamed chunks; zero sends them back to back
   */
  public static Future<DemoChatServer> start(Vertx vertx, String host, int port, Duration chunkDelay) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(host, "host");
    if (chunkDelay.isNegative()) {
      throw new IllegalArgumentException("chunkDelay must not be negative, got " + chunkDelay);
    }
    DemoChatServer server = new DemoChatServer(vertx, chunkDelay);
    return Listeners.start(vertx, host, port, 1, server::handle).map(l -> {
      server.listeners = l;
      return server;
    });
  }

  /** The port the server listens on. */
  public int actualPort() {
    return listeners.port();
  }

  /** Stops listening; streams in progress are cut. */
  public Future<Void> close() {
    return listeners.close();
  }

  /**
   * The reply text for a last user message ({@code null} when the conversation has none). Deterministic.
   */
  public static String replyTo(String lastUserMessage) {
    if (lastUserMessage == null || lastUserMessage.isBlank()) {
      return LABEL + " No user message was given.";
    }
    String collapsed = lastUserMessage.strip().replaceAll("\\s+", " ");
    int words = collapsed.split(" ").length;
    String excerpt = collapsed.length() <= EXCERPT_CHARS ? collapsed
        : collapsed.substring(0, EXCERPT_CHARS) + "...";
    return LABEL + " You said: \"" + excerpt + "\" (" + words + (words == 1 ? " word, " : " words, ")
        + lastUserMessage.length() + (lastUserMessage.length() == 1 ? " character)." : " characters).");
  }

  /** The reply split into streamable pieces: the first word, then each further word with its space. */
  static List<String> pieces(String reply) {
    String[] words = reply.split(" ");
    List<String> out = new ArrayList<>(words.length);
    for (int i = 0; i < words.length; i++) {
      out.add(i == 0 ? words[i] : " " + words[i]);
    }
    return out;
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    try {
      if (path.equals("/v1/chat/completions")) {
        if (req.method() != HttpMethod.POST) {
          throw new ChatError(405, "invalid_request_error", null, "method_not_allowed",
              req.method() + " is not allowed on " + path);
        }
        HttpReplies.readBody(req, MAX_BODY_BYTES)
            .onSuccess(body -> {
              try {
                complete(req, body);
              } catch (ChatError e) {
                sendError(req, e);
              }
            })
            .onFailure(err -> sendError(req, err instanceof BackendException be
                ? new ChatError(be.status(), "invalid_request_error", null, be.code(), be.getMessage())
                : new ChatError(400, "invalid_request_error", null, "bad_request", String.valueOf(err.getMessage()))));
      } else if (path.equals("/v1/models") || path.startsWith("/v1/models/")) {
        if (req.method() != HttpMethod.GET) {
          throw new ChatError(405, "invalid_request_error", null, "method_not_allowed",
              req.method() + " is not allowed on " + path);
        }
        if (path.equals("/v1/models")) {
          ObjectNode list = mapper.createObjectNode().put("object", "list");
          list.putArray("data").add(modelObject());
          HttpReplies.json(req, 200, list, mapper);
        } else if (path.equals("/v1/models/" + MODEL)) {
          HttpReplies.json(req, 200, modelObject(), mapper);
        } else {
          throw modelNotFound(path.substring("/v1/models/".length()));
        }
      } else {
        throw new ChatError(404, "invalid_request_error", null, "not_found", "no endpoint " + req.method() + " " + path);
      }
    } catch (ChatError e) {
      sendError(req, e);
    }
  }

  private ObjectNode modelObject() {
    return mapper.createObjectNode().put("id", MODEL).put("object", "model").put("created", 0)
        .put("owned_by", "warden-demo (test double)");
  }

  private static ChatError modelNotFound(String model) {
    return new ChatError(404, "invalid_request_error", "model", "model_not_found",
        "The model '" + model + "' does not exist; this test double serves only '" + MODEL + "'");
  }

  private void complete(HttpServerRequest req, Buffer body) {
    JsonNode root;
    try {
      root = mapper.readTree(body.getBytes());
    } catch (IOException e) {
      throw new ChatError(400, "invalid_request_error", null, "invalid_json",
          "request body is not valid JSON: " + (e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new ChatError(400, "invalid_request_error", null, "invalid_json", "request body must be a JSON object");
    }
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual()) {
      throw new ChatError(400, "invalid_request_error", "model", "missing_model", "'model' must be a string");
    }
    if (!model.textValue().equals(MODEL)) {
      throw modelNotFound(model.textValue());
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new ChatError(400, "invalid_request_error", "messages", "invalid_messages",
          "'messages' must be a non-empty array");
    }
    String lastUser = null;
    int promptTokens = 0;
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject() || !m.path("role").isTextual()) {
        throw new ChatError(400, "invalid_request_error", "messages[" + i + "]", "invalid_messages",
            "messages[" + i + "] must be an object with a string 'role'");
      }
      String text = text(m.get("content"), i);
      promptTokens += words(text);
      if (m.get("role").textValue().equals("user")) {
        lastUser = text;
      }
    }
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.intValue() == 1)) {
      throw new ChatError(400, "invalid_request_error", "n", "unsupported_value", "this test double supports only n = 1");
    }
    boolean stream = bool(root.get("stream"), "stream");
    boolean includeUsage = stream && bool(root.path("stream_options").get("include_usage"), "stream_options.include_usage");
    int maxTokens = maxTokens(root);

    List<String> pieces = pieces(replyTo(lastUser));
    String finish = "stop";
    if (maxTokens >= 0 && pieces.size() > maxTokens) {
      pieces = pieces.subList(0, maxTokens);
      finish = "length";
    }
    String id = "chatcmpl-demo-" + digest(body);
    long created = System.currentTimeMillis() / 1000;
    ObjectNode usage = mapper.createObjectNode()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", pieces.size())
        .put("total_tokens", promptTokens + pieces.size());
    if (stream) {
      stream(req, id, created, pieces, finish, includeUsage ? usage : null);
    } else {
      ObjectNode resp = envelope(id, created, "chat.completion");
      ObjectNode choice = resp.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", String.join("", pieces)).putNull("refusal");
      choice.putNull("logprobs");
      choice.put("finish_reason", finish);
      resp.set("usage", usage);
      HttpReplies.json(req, 200, resp, mapper);
    }
  }

  private void stream(HttpServerRequest req, String id, long created, List<String> pieces, String finish,
      ObjectNode usage) {
    List<String> events = new ArrayList<>();
    events.add(chunk(id, created, usage != null, d -> d.put("role", "assistant").put("content", ""), null));
    for (String p : pieces) {
      events.add(chunk(id, created, usage != null, d -> d.put("content", p), null));
    }
    events.add(chunk(id, created, usage != null, d -> { }, finish));
    if (usage != null) {
      ObjectNode last = envelope(id, created, "chat.completion.chunk");
      last.putArray("choices");
      last.set("usage", usage);
      events.add(write(last));
    }
    events.add("[DONE]");

    HttpServerResponse resp = req.response()
        .setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache");
    new Streamer(resp, events).next();
  }

  /** Sends one event, then schedules the next after the chunk delay; stops if the client goes away. */
  private final class Streamer {
    private final HttpServerResponse resp;
    private final List<String> events;
    private int index;
    private long timer = -1;
    private boolean closed;

    Streamer(HttpServerResponse resp, List<String> events) {
      this.resp = resp;
      this.events = events;
      resp.closeHandler(v -> {
        closed = true;
        if (timer >= 0) {
          vertx.cancelTimer(timer);
        }
      });
    }

    void next() {
      timer = -1;
      if (closed) {
        return;
      }
      String data = "data: " + events.get(index++) + "\n\n";
      if (index == events.size()) {
        resp.end(data);
      } else {
        resp.write(data);
        if (chunkDelayMs > 0) {
          timer = vertx.setTimer(chunkDelayMs, t -> next());
        } else {
          next();
        }
      }
    }
  }

  private interface DeltaFiller {
    void fill(ObjectNode delta);
  }

  private String chunk(String id, long created, boolean usageField, DeltaFiller delta, String finish) {
    ObjectNode c = envelope(id, created, "chat.completion.chunk");
    ObjectNode choice = c.putArray("choices").addObject().put("index", 0);
    delta.fill(choice.putObject("delta"));
    choice.putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finish);
    }
    if (usageField) {
      c.putNull("usage");
    }
    return write(c);
  }

  private ObjectNode envelope(String id, long created, String object) {
    return mapper.createObjectNode().put("id", id).put("object", object).put("created", created)
        .put("model", MODEL).put("system_fingerprint", SYSTEM_FINGERPRINT);
  }

  private String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(JsonNode content, int index) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.textValue();
    }
    if (content.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode part : content) {
        if (part.path("type").asText().equals("text") && part.path("text").isTextual()) {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          sb.append(part.get("text").textValue());
        }
      }
      return sb.toString();
    }
    throw new ChatError(400, "invalid_request_error", "messages[" + index + "].content", "invalid_messages",
        "messages[" + index + "].content must be a string or an array of content parts");
  }

  private static int words(String text) {
    String s = text.strip();
    return s.isEmpty() ? 0 : s.split("\\s+").length;
  }

  private static boolean bool(JsonNode v, String field) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new ChatError(400, "invalid_request_error", field, "invalid_type", "'" + field + "' must be a boolean");
    }
    return v.booleanValue();
  }

  private static int maxTokens(JsonNode root) {
    for (String field : List.of("max_completion_tokens", "max_tokens")) {
      JsonNode v = root.get(field);
      if (v != null && !v.isNull()) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
          throw new ChatError(400, "invalid_request_error", field, "invalid_value",
              "'" + field + "' must be a positive integer");
        }
        return v.intValue();
      }
    }
    return -1;
  }

  private static String digest(Buffer body) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(body.getBytes());
      return HexFormat.of().formatHex(h, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }

  private void sendError(HttpServerRequest req, ChatError e) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.headWritten()) {
      req.connection().close();
      return;
    }
    ObjectNode body = mapper.createObjectNode();
    ObjectNode err = body.putObject("error").put("message", e.getMessage()).put("type", e.type);
    if (e.param == null) {
      err.putNull("param");
    } else {
      err.put("param", e.param);
    }
    err.put("code", e.code);
    if (e.status == 413) {
      resp.putHeader("Connection", "close");
      resp.endHandler(v -> req.connection().close());
    }
    HttpReplies.json(req, e.status, body, mapper);
  }

  /** An error in OpenAI's shape. */
  private static final class ChatError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String type;
    final String param;
    final String code;

    ChatError(int status, String type, String param, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.param = param;
      this.code = code;
    }
  }
}
