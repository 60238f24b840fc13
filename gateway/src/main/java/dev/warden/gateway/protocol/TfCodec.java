package dev.warden.gateway.protocol;

import dev.warden.detectors.digest.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
    return decode(body, "instances", "inputs", null);
  }

  /**
   * Server side: decodes a request for a model whose inputs (name to datatype, in model order) are
   * known, so elements take the model's types instead of FP64, and an unnamed value goes to the model's
   * only input (refused when it has several).
   */
  public static InferenceMessage decodeRequest(Buffer body, Map<String, DataType> signature)
      throws MalformedInputException {
    return decode(body, "instances", "inputs", Map.copyOf(signature));
  }

  public static InferenceMessage decodeResponse(Buffer body) throws MalformedInputException {
    return decode(body, "predictions", "outputs", null);
  }

  private static InferenceMessage decode(Buffer body, String rowField, String colField,
      Map<String, DataType> signature) throws MalformedInputException {
    ObjectNode root = JsonBody.parse(body.getBytes());
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
          tensors.add(tensor(e.getKey(), e.getValue(), field + "[*]." + e.getKey(), signature));
        }
      } else {
        tensors.add(unnamed(field, value, signature, "each instance"));
      }
    } else {
      named = value.isObject() && !value.has("b64");
      if (named) {
        for (var e : value.properties()) {
          tensors.add(tensor(e.getKey(), e.getValue(), field + "." + e.getKey(), signature));
        }
      } else {
        tensors.add(unnamed(field, value, signature, "'" + field + "'"));
      }
    }
    return new InferenceMessage(root, tensors, false, body, -1, new Layout(field, rows, named));
  }

  private static java.util.Set<String> fieldNames(JsonNode o) {
    java.util.Set<String> s = new java.util.LinkedHashSet<>();
    o.fieldNames().forEachRemaining(s::add);
    return s;
  }

  /** The tensor of a value that names no input: the field's name, or the model's only input. */
  private static Tensor unnamed(String field, JsonNode value, Map<String, DataType> signature, String what)
      throws MalformedInputException {
    if (signature == null) {
      return tensor(field, value, field, null);
    }
    if (signature.size() != 1) {
      throw new MalformedInputException(field + ": the model has " + signature.size() + " inputs, so " + what
          + " must be an object naming them");
    }
    return tensor(signature.keySet().iterator().next(), value, field, signature);
  }

  private static Tensor tensor(String name, JsonNode value, String where, Map<String, DataType> signature)
      throws MalformedInputException {
    DataType declared = null;
    if (signature != null) {
      declared = signature.get(name);
      if (declared == null) {
        throw new MalformedInputException(where + ": the model has no input '" + name + "'");
      }
    }
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
    if (declared != null && declared != DataType.BYTES) {
      return new Tensor(name, declared, dims, OipCodec.elements(flat, declared, where), NODES.objectNode());
    }
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
        throw new MalformedInputException(where + ": ragged nesting, not rectangular (deeper than the first element)");
      }
      out.add(n);
      return;
    }
    if (!n.isArray() || n.size() != dims[depth]) {
      throw new MalformedInputException(where + ": ragged nesting, not rectangular (every list at depth " + depth
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
    return write(m.header().deepCopy(), (Layout) m.layout(), m.tensors());
  }

  /**
   * Server side: the answer to a request decoded here, in its form: {@code predictions} (one entry per
   * instance: the output's row, or an object of output name to row) for row requests, else
   * {@code outputs} (the output's value, or an object of output name to value).
   *
   * @throws IllegalArgumentException when answering rows and an output has no batch dimension of the
   *     number of instances
   */
  public static Buffer encodeResponse(InferenceMessage request, List<Tensor> outputs) {
    Layout in = (Layout) request.layout();
    if (in.rows()) {
      int batch = request.header().get(in.field()).size();
      for (Tensor t : outputs) {
        long[] s = t.shape();
        if (s.length == 0 || s[0] != batch) {
          throw new IllegalArgumentException("output '" + t.name() + "' of shape " + Arrays.toString(s)
              + " has no batch dimension of " + batch);
        }
      }
    }
    Layout out = new Layout(in.rows() ? "predictions" : "outputs", in.rows(), outputs.size() != 1);
    return write(NODES.objectNode(), out, outputs);
  }

  private static Buffer write(ObjectNode root, Layout layout, List<Tensor> tensors) {
    JsonNode value;
    if (!layout.named()) {
      value = nest(tensors.get(0));
    } else if (!layout.rows()) {
      ObjectNode o = NODES.objectNode();
      for (Tensor t : tensors) {
        o.set(t.name(), nest(t));
      }
      value = o;
    } else {
      ArrayNode rows = NODES.arrayNode();
      List<JsonNode> columns = new ArrayList<>();
      for (Tensor t : tensors) {
        columns.add(nest(t));
      }
      int n = columns.isEmpty() ? 0 : columns.get(0).size();
      for (int i = 0; i < n; i++) {
        ObjectNode row = NODES.objectNode();
        for (int c = 0; c < columns.size(); c++) {
          row.set(tensors.get(c).name(), columns.get(c).get(i));
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
