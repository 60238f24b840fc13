package dev.warden.gateway.demo.backends;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes Open Inference Protocol v2 infer requests and encodes their responses, in the JSON form and in the
 * binary tensor extension.
 *
 * <p>Binary extension, as defined by KServe/Triton: when the request carries the header
 * {@code Inference-Header-Content-Length: N}, the first N bytes of the body are the JSON header and the rest
 * holds the raw little-endian, row-major bytes of every input whose {@code parameters.binary_data_size} is
 * set, in input order. An output is returned in binary when the request's output entry has
 * {@code parameters.binary_data: true} (or {@code binary_data_output: true}), or when the request's top-level
 * {@code parameters.binary_data_output} is true and the output entry does not say otherwise; the response then
 * carries the same header and appends the output bytes after the JSON.
 */
final class OipCodec {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final ObjectMapper mapper;

  OipCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Which output to return, and whether in binary. */
  record WantedOutput(String name, boolean binary) {}

  /** A decoded infer request. */
  record InferRequest(String id, List<Tensor> inputs, List<WantedOutput> outputs, boolean binaryByDefault) {
    List<String> outputNames() {
      return outputs.stream().map(WantedOutput::name).toList();
    }

    boolean binary(String output) {
      for (WantedOutput o : outputs) {
        if (o.name().equals(output)) {
          return o.binary();
        }
      }
      return binaryByDefault;
    }
  }

  /** An encoded response: body and, when any output is binary, the JSON header length. */
  record Encoded(Buffer body, int jsonLength, boolean binary) {}

  /**
   * Decodes an infer request body.
   *
   * @param headerLength the value of {@code Inference-Header-Content-Length}, or {@code null}
   * @throws BackendException 400 for malformed JSON or framing, 422 for tensors that do not fit their shape
   */
  InferRequest decode(Buffer body, String headerLength) {
    byte[] bytes = body.getBytes();
    int jsonLength = bytes.length;
    if (headerLength != null) {
      try {
        jsonLength = Integer.parseInt(headerLength.trim());
      } catch (NumberFormatException e) {
        throw BackendException.badRequest(HEADER_LENGTH + ": '" + headerLength + "' is not a number");
      }
      if (jsonLength < 0 || jsonLength > bytes.length) {
        throw BackendException.badRequest(
            HEADER_LENGTH + ": " + jsonLength + " is outside the body of " + bytes.length + " bytes");
      }
    }
    JsonNode root = readJson(bytes, jsonLength);
    ByteBuffer binary = ByteBuffer.wrap(bytes, jsonLength, bytes.length - jsonLength).slice();

    String id = null;
    JsonNode idNode = root.get("id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual()) {
        throw BackendException.invalidInput("id: must be a string");
      }
      id = idNode.textValue();
    }
    JsonNode inputsNode = root.get("inputs");
    if (inputsNode == null || !inputsNode.isArray() || inputsNode.isEmpty()) {
      throw BackendException.invalidInput("inputs: must be a non-empty array");
    }
    List<Tensor> inputs = new ArrayList<>(inputsNode.size());
    for (int i = 0; i < inputsNode.size(); i++) {
      inputs.add(decodeInput(inputsNode.get(i), "inputs[" + i + "]", binary));
    }
    if (binary.hasRemaining()) {
      throw BackendException.badRequest("binary section has " + binary.remaining()
          + " bytes that no input's parameters.binary_data_size accounts for");
    }
    boolean binaryByDefault = flag(root.get("parameters"), "binary_data_output", "parameters", false);
    List<WantedOutput> outputs = new ArrayList<>();
    JsonNode outputsNode = root.get("outputs");
    if (outputsNode != null && !outputsNode.isNull()) {
      if (!outputsNode.isArray()) {
        throw BackendException.invalidInput("outputs: must be an array");
      }
      for (int i = 0; i < outputsNode.size(); i++) {
        JsonNode o = outputsNode.get(i);
        String field = "outputs[" + i + "]";
        String name = text(o, "name", field);
        JsonNode params = o.get("parameters");
        boolean bin = flag(params, "binary_data", field + ".parameters",
            flag(params, "binary_data_output", field + ".parameters", binaryByDefault));
        outputs.add(new WantedOutput(name, bin));
      }
    }
    return new InferRequest(id, List.copyOf(inputs), List.copyOf(outputs), binaryByDefault);
  }

  private JsonNode readJson(byte[] bytes, int length) {
    JsonNode root;
    try {
      root = mapper.readTree(bytes, 0, length);
    } catch (JsonProcessingException e) {
      throw BackendException.invalidJson("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject()) {
      throw BackendException.invalidJson("request body must be a JSON object");
    }
    return root;
  }

  private static Tensor decodeInput(JsonNode in, String field, ByteBuffer binary) {
    if (in == null || !in.isObject()) {
      throw BackendException.invalidInput(field + ": must be an object");
    }
    String name = text(in, "name", field);
    String typeName = text(in, "datatype", field);
    TensorType type = TensorType.fromOipName(typeName);
    if (type == null) {
      throw BackendException.invalidInput(field + ".datatype: '" + typeName + "' is not supported");
    }
    long[] shape = shape(in.get("shape"), field + ".shape");
    long count = Tensor.elementCount(shape);
    int size = Math.toIntExact(count * type.byteSize());
    JsonNode params = in.get("parameters");
    JsonNode binarySize = params == null ? null : params.get("binary_data_size");
    if (binarySize != null && !binarySize.isNull()) {
      if (!binarySize.canConvertToLong() || !binarySize.isIntegralNumber() || binarySize.longValue() < 0) {
        throw BackendException.invalidInput(field + ".parameters.binary_data_size: must be a non-negative integer");
      }
      long n = binarySize.longValue();
      if (n != size) {
        throw BackendException.invalidInput(field + ".parameters.binary_data_size: " + n
            + " bytes, but shape and datatype need " + size);
      }
      if (in.has("data")) {
        throw BackendException.invalidInput(field + ": has both data and parameters.binary_data_size");
      }
      if (binary.remaining() < size) {
        throw BackendException.badRequest(field + ": binary section ends after " + binary.remaining()
            + " of " + size + " bytes");
      }
      ByteBuffer slice = binary.slice(binary.position(), size);
      binary.position(binary.position() + size);
      return new Tensor(name, type, shape, slice);
    }
    JsonNode data = in.get("data");
    if (data == null || data.isNull()) {
      throw BackendException.invalidInput(field + ".data: missing (and no parameters.binary_data_size)");
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    putFlattened(out, data, type, field + ".data", count);
    if (out.hasRemaining()) {
      throw BackendException.invalidInput(field + ".data: has " + (out.position() / type.byteSize())
          + " elements, shape needs " + count);
    }
    return new Tensor(name, type, shape, out.flip());
  }

  /** Writes a flat or arbitrarily nested JSON array of elements, refusing more than {@code count}. */
  static void putFlattened(ByteBuffer out, JsonNode node, TensorType type, String field, long count) {
    if (node.isArray()) {
      for (JsonNode child : node) {
        putFlattened(out, child, type, field, count);
      }
      return;
    }
    if (out.remaining() < type.byteSize()) {
      throw BackendException.invalidInput(field + ": has more elements than the shape's " + count);
    }
    type.put(out, node, field);
  }

  static long[] shape(JsonNode node, String field) {
    if (node == null || !node.isArray()) {
      throw BackendException.invalidInput(field + ": must be an array of non-negative integers");
    }
    long[] shape = new long[node.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = node.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw BackendException.invalidInput(field + "[" + i + "]: must be a non-negative integer");
      }
      shape[i] = d.longValue();
    }
    return shape;
  }

  static String text(JsonNode obj, String key, String field) {
    JsonNode v = obj.get(key);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw BackendException.invalidInput(field + "." + key + ": must be a non-empty string");
    }
    return v.textValue();
  }

  private static boolean flag(JsonNode params, String key, String field, boolean dflt) {
    if (params == null || params.isNull()) {
      return dflt;
    }
    if (!params.isObject()) {
      throw BackendException.invalidInput(field + ": must be an object");
    }
    JsonNode v = params.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw BackendException.invalidInput(field + "." + key + ": must be true or false");
    }
    return v.booleanValue();
  }

  /** Encodes the response: JSON with flat {@code data}, or JSON header plus binary outputs. */
  Encoded encode(String modelName, String version, InferRequest request, List<Tensor> outputs) {
    ByteArrayOutputStream json = new ByteArrayOutputStream(256);
    List<Tensor> binaryOutputs = new ArrayList<>();
    try (JsonGenerator gen = mapper.getFactory().createGenerator(json, JsonEncoding.UTF8)) {
      gen.writeStartObject();
      gen.writeStringField("model_name", modelName);
      gen.writeStringField("model_version", version);
      if (request.id() != null) {
        gen.writeStringField("id", request.id());
      }
      gen.writeArrayFieldStart("outputs");
      for (Tensor t : outputs) {
        gen.writeStartObject();
        gen.writeStringField("name", t.name());
        gen.writeStringField("datatype", t.type().oipName());
        gen.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          gen.writeNumber(d);
        }
        gen.writeEndArray();
        if (request.binary(t.name())) {
          binaryOutputs.add(t);
          gen.writeObjectFieldStart("parameters");
          gen.writeNumberField("binary_data_size", t.byteSize());
          gen.writeEndObject();
        } else {
          gen.writeArrayFieldStart("data");
          writeElements(gen, t);
          gen.writeEndArray();
        }
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Buffer body = Buffer.buffer(json.toByteArray());
    int jsonLength = body.length();
    for (Tensor t : binaryOutputs) {
      ByteBuffer data = t.data();
      byte[] raw = new byte[data.remaining()];
      data.get(raw);
      body.appendBytes(raw);
    }
    return new Encoded(body, jsonLength, !binaryOutputs.isEmpty());
  }

  static void writeElements(JsonGenerator gen, Tensor t) throws IOException {
    ByteBuffer data = t.data();
    int width = t.type().byteSize();
    for (int off = 0; off < data.limit(); off += width) {
      t.type().write(gen, data, off);
    }
  }
}
