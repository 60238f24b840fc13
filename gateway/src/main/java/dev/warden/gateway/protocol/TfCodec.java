package dev.warden.gateway.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TF-Serving / KServe v1 predict bodies: {@code instances} (row format) or {@code inputs} (columnar),
 * responses {@code predictions} / {@code outputs}. JSON carries no element types, so numbers decode
 * as FP64 (lossless for JSON), booleans as BOOL, strings and {@code {"b64": ...}} as BYTES. The
 * nesting is kept so a re-encoded body has the shape the client sent.
 */
public final class TfCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private TfCodec() {}

  /** How the tensors sit in the body. */
  record Layout(String field, boolean rows, boolean named) {}

  public static InferenceMessage decodeRequest(Buffer body) throws MalformedInputException {
    return decode(body, "instances", "inputs");
  }

  public static InferenceMessage decodeResponse(Buffer body) throws MalformedInputException {
    return decode(body, "predictions", "outputs");
  }

  private static InferenceMessage decode(Buffer body, String rowField, String colField)
      throws MalformedInputException {
    JsonNode root;
    try {
      root = JSON.readTree(body.getBytes());
    } catch (JsonProcessingException e) {
      throw new MalformedInputException("body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new MalformedInputException("body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new MalformedInputException("body: expected a JSON object");
    }
    boolean rows = root.has(rowField);
    if (rows == root.has(colField)) {
      throw new MalformedInputException("body: exactly one of '" + rowField + "' and '" + colField + "' is required");
    }
    String field = rows ? rowField : colField;
    JsonNode value = root.get(field);
    List<Tensor> tensors = new ArrayList<>();
    boolean named;
    if (rows) {
      if (!value.isArray() || value.isEmpty()) {
        throw new MalformedInputException(field + ": expected a non-empty array");
      }
      named = value.get(0).isObject() && !value.get(0).has("b64");
      if (named) {
        Map<String, ArrayNode> columns = new LinkedHashMap<>();
        for (int i = 0; i < value.size(); i++) {
          JsonNode row = value.get(i);
          if (!row.isObject()) {
            throw new MalformedInputException(field + "[" + i + "]: expected an object like the first instance");
          }
          if (i > 0 && !columns.keySet().equals(fieldNames(row))) {
            throw new MalformedInputException(field + "[" + i + "]: has different input names than " + field + "[0]");
          }
          for (var e : row.properties()) {
            columns.computeIfAbsent(e.getKey(), k -> NODES.arrayNode()).add(e.getValue());
          }
        }
        for (var e : columns.entrySet()) {
          tensors.add(tensor(e.getKey(), e.getValue(), field + "[*]." + e.getKey()));
        }
      } else {
        tensors.add(tensor(field, value, field));
      }
    } else {
      named = value.isObject() && !value.has("b64");
      if (named) {
        for (var e : value.properties()) {
          tensors.add(tensor(e.getKey(), e.getValue(), field + "." + e.getKey()));
        }
      } else {
        tensors.add(tensor(field, value, field));
      }
    }
    return new InferenceMessage((ObjectNode) root, tensors, false, body, -1, new Layout(field, rows, named));
  }

  private static java.util.Set<String> fieldNames(JsonNode o) {
    java.util.Set<String> s = new java.util.LinkedHashSet<>();
    o.fieldNames().forEachRemaining(s::add);
    return s;
  }

  private static Tensor tensor(String name, JsonNode value, String where) throws MalformedInputException {
    List<Long> shape = new ArrayList<>();
    JsonNode n = value;
    while (n.isArray()) {
      shape.add((long) n.size());
      if (n.isEmpty()) {
        break;
      }
      n = n.get(0);
    }
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    List<JsonNode> flat = new ArrayList<>();
    collect(value, 0, dims, flat, where);
    DataType dt;
    JsonNode first = flat.isEmpty() ? NODES.numberNode(0) : flat.get(0);
    if (first.isBoolean()) {
      dt = DataType.BOOL;
    } else if (first.isTextual() || first.isObject()) {
      dt = DataType.BYTES;
    } else {
      dt = DataType.FP64;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer num = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < flat.size(); i++) {
      JsonNode v = flat.get(i);
      switch (dt) {
        case BOOL -> {
          if (!v.isBoolean()) {
            throw new MalformedInputException(where + ": mixes booleans and other values");
          }
          out.write(v.asBoolean() ? 1 : 0);
        }
        case FP64 -> {
          if (!v.isNumber()) {
            throw new MalformedInputException(where + ": element " + i + " is not a number");
          }
          num.clear();
          out.writeBytes(num.putDouble(v.asDouble()).array());
        }
        default -> {
          byte[] s;
          if (v.isObject() && v.has("b64")) {
            try {
              s = Base64.getDecoder().decode(v.get("b64").asText());
            } catch (IllegalArgumentException e) {
              throw new MalformedInputException(where + ": element " + i + " has invalid base64");
            }
          } else if (v.isTextual()) {
            s = v.asText().getBytes(StandardCharsets.UTF_8);
          } else {
            throw new MalformedInputException(where + ": element " + i + " is not a string");
          }
          out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array());
          out.writeBytes(s);
        }
      }
    }
    return new Tensor(name, dt, dims, out.toByteArray(), NODES.objectNode());
  }

  private static void collect(JsonNode n, int depth, long[] dims, List<JsonNode> out, String where)
      throws MalformedInputException {
    if (depth == dims.length) {
      if (n.isArray()) {
        throw new MalformedInputException(where + ": ragged nesting (deeper than the first element)");
      }
      out.add(n);
      return;
    }
    if (!n.isArray() || n.size() != dims[depth]) {
      throw new MalformedInputException(where + ": ragged nesting (every list at depth " + depth
          + " must have " + dims[depth] + " elements)");
    }
    for (JsonNode c : n) {
      collect(c, depth + 1, dims, out, where);
    }
  }

  /** The body to send: the original bytes when nothing changed, else re-nested JSON. */
  public static Buffer encode(InferenceMessage m) {
    if (!m.modified()) {
      return m.original();
    }
    Layout layout = (Layout) m.layout();
    ObjectNode root = m.header().deepCopy();
    JsonNode value;
    if (!layout.named()) {
      value = nest(m.tensors().get(0));
    } else if (!layout.rows()) {
      ObjectNode o = NODES.objectNode();
      for (Tensor t : m.tensors()) {
        o.set(t.name(), nest(t));
      }
      value = o;
    } else {
      ArrayNode rows = NODES.arrayNode();
      List<JsonNode> columns = new ArrayList<>();
      for (Tensor t : m.tensors()) {
        columns.add(nest(t));
      }
      int n = columns.isEmpty() ? 0 : columns.get(0).size();
      for (int i = 0; i < n; i++) {
        ObjectNode row = NODES.objectNode();
        for (int c = 0; c < columns.size(); c++) {
          row.set(m.tensors().get(c).name(), columns.get(c).get(i));
        }
        rows.add(row);
      }
      value = rows;
    }
    root.set(layout.field(), value);
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(root));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode nest(Tensor t) {
    ArrayNode flat = OipCodec.toJson(t);
    long[] shape = t.shape();
    if (shape.length == 0) {
      return flat.get(0);
    }
    int[] pos = {0};
    return nest(flat, shape, 0, pos);
  }

  private static JsonNode nest(ArrayNode flat, long[] shape, int depth, int[] pos) {
    ArrayNode a = NODES.arrayNode();
    for (long i = 0; i < shape[depth]; i++) {
      if (depth == shape.length - 1) {
        a.add(flat.get(pos[0]++));
      } else {
        a.add(nest(flat, shape, depth + 1, pos));
      }
    }
    return a;
  }
}
