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
import java.util.Arrays;
import java.util.List;

/**
 * Decodes TensorFlow-Serving REST {@code :predict} requests and encodes their responses.
 *
 * <ul>
 *   <li>Row format: {@code {"instances": [...]}}. Each instance is the value of the single model input, or an
 *       object mapping every input name to its value; the batch dimension is the number of instances.
 *       The answer is {@code {"predictions": [...]}}, one entry per instance: the output's row, or an object
 *       of output name to row when the model has several outputs.
 *   <li>Columnar format: {@code {"inputs": value}} for a single-input model or {@code {"inputs": {name:
 *       value}}}; values carry their own batch dimension. The answer is {@code {"outputs": value}} or an
 *       object of output name to value.
 * </ul>
 * Datatypes come from the model; shapes from the nesting of the JSON arrays, which must be rectangular.
 */
final class TfServingCodec {
  private final ObjectMapper mapper;

  TfServingCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** A decoded predict request; {@code rows} tells which answer form to use. */
  record PredictRequest(List<Tensor> inputs, boolean rows, int batch) {}

  PredictRequest decode(Buffer body, OnnxModel model) {
    JsonNode root;
    try {
      root = mapper.readTree(body.getBytes());
    } catch (JsonProcessingException e) {
      throw BackendException.invalidJson("request body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject()) {
      throw BackendException.invalidJson("request body must be a JSON object");
    }
    JsonNode instances = root.get("instances");
    JsonNode inputs = root.get("inputs");
    if ((instances == null) == (inputs == null)) {
      throw BackendException.invalidInput("body: needs exactly one of 'instances' (row) or 'inputs' (columnar)");
    }
    return instances != null ? decodeRows(instances, model) : decodeColumns(inputs, model);
  }

  private static PredictRequest decodeRows(JsonNode instances, OnnxModel model) {
    if (!instances.isArray() || instances.isEmpty()) {
      throw BackendException.invalidInput("instances: must be a non-empty array");
    }
    boolean named = instances.get(0).isObject();
    if (!named && model.inputs().size() != 1) {
      throw BackendException.invalidInput("instances: model '" + model.name() + "' has "
          + model.inputs().size() + " inputs, so each instance must be an object naming them");
    }
    int batch = instances.size();
    List<Tensor> tensors = new ArrayList<>();
    for (OnnxModel.IoSpec spec : model.inputs()) {
      List<JsonNode> rows = new ArrayList<>(batch);
      for (int i = 0; i < batch; i++) {
        JsonNode inst = instances.get(i);
        if (named) {
          if (!inst.isObject() || !inst.has(spec.name())) {
            throw BackendException.invalidInput("instances[" + i + "]: missing input '" + spec.name() + "'");
          }
          rows.add(inst.get(spec.name()));
        } else {
          if (inst.isObject()) {
            throw BackendException.invalidInput("instances[" + i + "]: mixes named and plain instances");
          }
          rows.add(inst);
        }
      }
      long[] rowShape = inferShape(rows.get(0));
      long[] shape = new long[rowShape.length + 1];
      shape[0] = batch;
      System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
      long count = Tensor.elementCount(shape);
      ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * spec.type().byteSize()))
          .order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < batch; i++) {
        putRectangular(out, rows.get(i), rowShape, 0, spec.type(), "instances[" + i + "]");
      }
      tensors.add(new Tensor(spec.name(), spec.type(), shape, out.flip()));
    }
    return new PredictRequest(List.copyOf(tensors), true, batch);
  }

  private static PredictRequest decodeColumns(JsonNode inputs, OnnxModel model) {
    List<Tensor> tensors = new ArrayList<>();
    if (inputs.isObject()) {
      for (OnnxModel.IoSpec spec : model.inputs()) {
        JsonNode v = inputs.get(spec.name());
        if (v == null) {
          throw BackendException.invalidInput("inputs: missing input '" + spec.name() + "'");
        }
        tensors.add(columnTensor(spec, v, "inputs." + spec.name()));
      }
    } else {
      if (model.inputs().size() != 1) {
        throw BackendException.invalidInput("inputs: model '" + model.name() + "' has "
            + model.inputs().size() + " inputs, so 'inputs' must be an object naming them");
      }
      tensors.add(columnTensor(model.inputs().get(0), inputs, "inputs"));
    }
    return new PredictRequest(List.copyOf(tensors), false, -1);
  }

  private static Tensor columnTensor(OnnxModel.IoSpec spec, JsonNode value, String field) {
    long[] shape = inferShape(value);
    long count = Tensor.elementCount(shape);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * spec.type().byteSize()))
        .order(ByteOrder.LITTLE_ENDIAN);
    putRectangular(out, value, shape, 0, spec.type(), field);
    return new Tensor(spec.name(), spec.type(), shape, out.flip());
  }

  /** The shape implied by following the first element of each nested array. */
  static long[] inferShape(JsonNode value) {
    List<Long> dims = new ArrayList<>();
    JsonNode cur = value;
    while (cur.isArray()) {
      dims.add((long) cur.size());
      if (cur.isEmpty()) {
        break;
      }
      cur = cur.get(0);
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static void putRectangular(ByteBuffer out, JsonNode node, long[] shape, int depth, TensorType type,
      String field) {
    if (depth == shape.length) {
      if (node.isArray() || node.isObject()) {
        throw BackendException.invalidInput(field + ": is nested deeper than shape " + Arrays.toString(shape));
      }
      type.put(out, node, field);
      return;
    }
    if (!node.isArray() || node.size() != shape[depth]) {
      throw BackendException.invalidInput(field + ": is not rectangular, expected an array of "
          + shape[depth] + " at depth " + depth + " (shape " + Arrays.toString(shape) + ")");
    }
    for (int i = 0; i < node.size(); i++) {
      putRectangular(out, node.get(i), shape, depth + 1, type, field + "[" + i + "]");
    }
  }

  Buffer encode(PredictRequest request, List<Tensor> outputs) {
    ByteArrayOutputStream json = new ByteArrayOutputStream(256);
    try (JsonGenerator gen = mapper.getFactory().createGenerator(json, JsonEncoding.UTF8)) {
      gen.writeStartObject();
      if (request.rows()) {
        for (Tensor t : outputs) {
          long[] s = t.shape();
          if (s.length == 0 || s[0] != request.batch()) {
            throw new BackendException(500, "inference_failed", "output '" + t.name() + "' of shape "
                + Arrays.toString(s) + " has no batch dimension of " + request.batch());
          }
        }
        gen.writeArrayFieldStart("predictions");
        for (int i = 0; i < request.batch(); i++) {
          if (outputs.size() == 1) {
            writeRow(gen, outputs.get(0), i);
          } else {
            gen.writeStartObject();
            for (Tensor t : outputs) {
              gen.writeFieldName(t.name());
              writeRow(gen, t, i);
            }
            gen.writeEndObject();
          }
        }
        gen.writeEndArray();
      } else {
        gen.writeFieldName("outputs");
        if (outputs.size() == 1) {
          writeNested(gen, outputs.get(0));
        } else {
          gen.writeStartObject();
          for (Tensor t : outputs) {
            gen.writeFieldName(t.name());
            writeNested(gen, t);
          }
          gen.writeEndObject();
        }
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(json.toByteArray());
  }

  private static void writeRow(JsonGenerator gen, Tensor t, int row) throws IOException {
    long[] s = t.shape();
    long rowElements = Tensor.elementCount(Arrays.copyOfRange(s, 1, s.length));
    writeNested(gen, t.type(), t.data(), s, 1, row * rowElements);
  }

  private static void writeNested(JsonGenerator gen, Tensor t) throws IOException {
    writeNested(gen, t.type(), t.data(), t.shape(), 0, 0);
  }

  /** Writes dims {@code depth..} of a row-major tensor as nested arrays, starting at element {@code first}. */
  private static void writeNested(JsonGenerator gen, TensorType type, ByteBuffer data, long[] shape, int depth,
      long first) throws IOException {
    if (depth == shape.length) {
      type.write(gen, data, Math.toIntExact(first * type.byteSize()));
      return;
    }
    long stride = Tensor.elementCount(Arrays.copyOfRange(shape, depth + 1, shape.length));
    gen.writeStartArray();
    for (long i = 0; i < shape[depth]; i++) {
      writeNested(gen, type, data, shape, depth + 1, first + i * stride);
    }
    gen.writeEndArray();
  }
}
