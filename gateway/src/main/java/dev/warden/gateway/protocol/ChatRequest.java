package dev.warden.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI-compatible {@code POST /v1/chat/completions} body: the model, whether the client asked
 * for a stream, and the text of the messages (what text screening reads). The raw JSON is kept and
 * forwarded unchanged unless a stage rewrites it.
 */
public final class ChatRequest {
  private final ObjectNode root;
  private final Buffer original;

  private ChatRequest(ObjectNode root, Buffer original) {
    this.root = root;
    this.original = original;
  }

  public static ChatRequest decode(Buffer body) throws MalformedInputException {
    ObjectNode root = JsonBody.parse(body.getBytes());
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual() || model.asText().isEmpty()) {
      throw new MalformedInputException("model: required string");
    }
    JsonNode messages = root.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new MalformedInputException("messages: required non-empty array");
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      if (!m.isObject() || !m.path("role").isTextual()) {
        throw new MalformedInputException("messages[" + i + "].role: required string");
      }
    }
    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isBoolean() && !stream.isNull()) {
      throw new MalformedInputException("stream: expected a boolean");
    }
    return new ChatRequest(root, body);
  }

  public String model() {
    return root.get("model").asText();
  }

  public boolean stream() {
    return root.path("stream").asBoolean(false);
  }

  /** Every text part of every message, in order (string contents and {@code type: text} parts). */
  public List<String> texts() {
    List<String> out = new ArrayList<>();
    for (JsonNode m : root.get("messages")) {
      JsonNode c = m.get("content");
      if (c == null) {
        continue;
      }
      if (c.isTextual()) {
        out.add(c.asText());
      } else if (c.isArray()) {
        for (JsonNode part : c) {
          if ("text".equals(part.path("type").asText()) && part.path("text").isTextual()) {
            out.add(part.get("text").asText());
          }
        }
      }
    }
    return out;
  }

  public ObjectNode json() {
    return root;
  }

  public Buffer original() {
    return original;
  }
}
