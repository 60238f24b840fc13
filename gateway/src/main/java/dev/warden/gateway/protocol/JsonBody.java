package dev.warden.gateway.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.gateway.protocol.MalformedInputException.Kind;
import java.io.IOException;

/** The one way the codecs read a body that must be a JSON object. */
final class JsonBody {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonBody() {}

  /** Parses a JSON object; anything else is {@link Kind#NOT_JSON}. */
  static ObjectNode parse(byte[] body) throws MalformedInputException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new MalformedInputException(Kind.NOT_JSON, "body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedInputException(Kind.NOT_JSON, "body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedInputException(Kind.NOT_JSON, "body: expected a JSON object");
    }
    return (ObjectNode) root;
  }
}
