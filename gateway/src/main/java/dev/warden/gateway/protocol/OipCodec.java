package dev.warden.gateway.protocol;

import dev.warden.detectors.digest.DataType;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.detectors.digest.Half;
import dev.warden.gateway.protocol.MalformedInputException.Kind;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Open Inference Protocol v2 REST bodies, JSON and the binary tensor extension, to and from
 * {@link InferenceMessage}.
 *
 * <p>Binary extension: the body is a JSON header of {@code Inference-Header-Content-Length} bytes,
 * followed by the raw data of each tensor whose {@code parameters.binary_data_size} is set, in tensor
 * order. Re-encoding after a stage changed a tensor keeps each tensor in the form it arrived in and
 * fixes {@code binary_data_size}, the header length and (by the caller) {@code Content-Length}.
 */
public final class OipCodec {
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private OipCodec() {}

  /** A re-encoded body and, for binary bodies, the JSON header length (else -1). */
  public record Encoded(Buffer body, int headerLength) {}

  /** Decodes a request ({@code inputs}). */
  public static InferenceMessage decodeRequest(Buffer body, String headerLength) throws MalformedInputException {
    return decode(body, headerLength, "inputs", true);
  }

  /** Decodes a response ({@code outputs}). */
  public static InferenceMessage decodeResponse(Buffer body, String headerLength) throws MalformedInputException {
    return decode(body, headerLength, "outputs", false);
  }

  static InferenceMessage decode(Buffer body, String headerLengthValue, String field, boolean required)
      throws MalformedInputException {
    int total = body.length();
    int jsonLength = total;
    boolean binary = headerLengthValue != null;
    if (binary) {
      try {
        jsonLength = Integer.parseInt(headerLengthValue.trim());
      } catch (NumberFormatException e) {
        throw new MalformedInputException(Kind.FRAMING, HEADER_LENGTH + ": not an integer");
      }
      if (jsonLength < 0 || jsonLength > total) {
        throw new MalformedInputException(Kind.FRAMING, HEADER_LENGTH + ": " + jsonLength + " is outside the body of "
            + total + " bytes");
      }
    }
    ObjectNode root = JsonBody.parse(body.getBytes(0, jsonLength));
    JsonNode arr = root.get(field);
    if (arr == null) {
      if (required) {
        throw new MalformedInputException(field + ": required");
      }
      return new InferenceMessage(root, List.of(), binary, body, binary ? jsonLength : -1);
    }
    if (!arr.isArray()) {
      throw new MalformedInputException(field + ": expected an array of tensors");
    }
    if (required && arr.isEmpty()) {
      throw new MalformedInputException(field + ": at least one tensor is required");
    }
    List<Tensor> tensors = new ArrayList<>(arr.size());
    int offset = jsonLength;
    for (int i = 0; i < arr.size(); i++) {
      String where = field + "[" + i + "]";
      JsonNode t = arr.get(i);
      if (!t.isObject()) {
        throw new MalformedInputException(where + ": expected an object");
      }
      String name = text(t, "name", where);
      DataType dt = datatype(text(t, "datatype", where));
      if (dt == null) {
        throw new MalformedInputException(where + ".datatype: unknown datatype '" + t.get("datatype").asText() + "'");
      }
      long[] shape = shape(t.get("shape"), where + ".shape");
      long count;
      try {
        count = Tensor.elementCount(shape);
      } catch (ArithmeticException e) {
        throw new MalformedInputException(where + ".shape: too many elements");
      }
      JsonNode params = t.get("parameters");
      if (params != null && !params.isObject()) {
        throw new MalformedInputException(where + ".parameters: expected an object");
      }
      ObjectNode p = params == null ? NODES.objectNode() : (ObjectNode) params;
      byte[] data;
      JsonNode size = p.get("binary_data_size");
      if (size != null) {
        if (!binary) {
          throw new MalformedInputException(Kind.FRAMING, where + ".parameters.binary_data_size: set, but the request has no "
              + HEADER_LENGTH + " header");
        }
        if (!size.canConvertToLong() || size.asLong() < 0) {
          throw new MalformedInputException(where + ".parameters.binary_data_size: expected a non-negative integer");
        }
        long n = size.asLong();
        if (n > total - offset) {
          throw new MalformedInputException(Kind.FRAMING, where + ".parameters.binary_data_size: " + n
              + " bytes, but only " + (total - offset) + " remain in the body");
        }
        data = body.getBytes(offset, offset + (int) n);
        offset += (int) n;
        checkBinaryLength(dt, count, data, where);
        if (t.has("data")) {
          throw new MalformedInputException(where + ": has both data and binary_data_size");
        }
      } else {
        JsonNode d = t.get("data");
        if (d == null) {
          throw new MalformedInputException(where + ".data: required (or parameters.binary_data_size)");
        }
        data = fromJson(d, dt, count, where + ".data");
      }
      tensors.add(new Tensor(name, dt, shape, data, p));
    }
    if (offset != total) {
      throw new MalformedInputException(Kind.FRAMING, "body: " + (total - offset)
          + " bytes of binary data are not described by any binary_data_size");
    }
    return new InferenceMessage(root, tensors, binary, body, binary ? jsonLength : -1);
  }

  /** The body to send: the original bytes when nothing changed, else a faithful re-encoding. */
  public static Encoded encode(InferenceMessage m, String field) {
    if (!m.modified()) {
      return new Encoded(m.original(), m.originalHeaderLength());
    }
    return write(m.header(), field, m.tensors(), t -> t.parameters().has("binary_data_size"), m.binary());
  }

  /**
   * Server side: an infer response of {@code header} (e.g. {@code model_name}, {@code model_version},
   * {@code id}) and {@code outputs}, each in JSON {@code data} or, when {@code binary} says so for its
   * name (see {@link RequestedOutputs#binary}), appended as raw bytes with its {@code binary_data_size}.
   */
  public static Encoded encodeResponse(ObjectNode header, List<Tensor> outputs, Predicate<String> binary) {
    boolean anyBinary = outputs.stream().anyMatch(t -> binary.test(t.name()));
    return write(header, "outputs", outputs, t -> binary.test(t.name()), anyBinary);
  }

  private static Encoded write(ObjectNode original, String field, List<Tensor> tensors, Predicate<Tensor> inBinary,
      boolean binaryBody) {
    ObjectNode header = original.deepCopy();
    ArrayNode arr = NODES.arrayNode();
    ByteArrayOutputStream bin = new ByteArrayOutputStream();
    JsonNode originals = original.get(field);
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      ObjectNode entry = originals != null && originals.get(i) != null
          ? ((ObjectNode) originals.get(i)).deepCopy() : NODES.objectNode();
      entry.put("name", t.name());
      entry.put("datatype", t.datatype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      ObjectNode params = t.parameters().deepCopy();
      if (inBinary.test(t)) {
        params.put("binary_data_size", t.data().length);
        bin.writeBytes(t.data());
        entry.remove("data");
      } else {
        entry.set("data", toJson(t));
      }
      if (params.isEmpty()) {
        entry.remove("parameters");
      } else {
        entry.set("parameters", params);
      }
      arr.add(entry);
    }
    header.set(field, arr);
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    if (!binaryBody) {
      return new Encoded(Buffer.buffer(json), -1);
    }
    Buffer out = Buffer.buffer(json.length + bin.size());
    out.appendBytes(json).appendBytes(bin.toByteArray());
    return new Encoded(out, json.length);
  }

  // ---------------------------------------------------------------- JSON <-> bytes

  static String text(JsonNode t, String key, String where) throws MalformedInputException {
    JsonNode n = t.get(key);
    if (n == null || !n.isTextual() || n.asText().isEmpty()) {
      throw new MalformedInputException(where + "." + key + ": required string");
    }
    return n.asText();
  }

  private static long[] shape(JsonNode n, String where) throws MalformedInputException {
    if (n == null || !n.isArray()) {
      throw new MalformedInputException(where + ": required array of non-negative integers");
    }
    long[] shape = new long[n.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = n.get(i);
      if (!d.isIntegralNumber() || d.asLong() < 0) {
        throw new MalformedInputException(where + "[" + i + "]: expected a non-negative integer");
      }
      shape[i] = d.asLong();
    }
    return shape;
  }

  private static void checkBinaryLength(DataType dt, long count, byte[] data, String where)
      throws MalformedInputException {
    if (dt != DataType.BYTES) {
      long want = count * dt.size();
      if (data.length != want) {
        throw new MalformedInputException(where + ".parameters.binary_data_size: " + data.length
            + " bytes, the shape and datatype need " + want);
      }
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long seen = 0;
    while (b.remaining() >= 4) {
      long len = b.getInt() & 0xffffffffL;
      if (len > b.remaining()) {
        throw new MalformedInputException(where + ": BYTES element " + seen + " overruns the binary data");
      }
      b.position(b.position() + (int) len);
      seen++;
    }
    if (b.remaining() != 0 || seen != count) {
      throw new MalformedInputException(where + ": binary BYTES data holds " + seen + " elements, shape needs " + count);
    }
  }

  private static byte[] fromJson(JsonNode data, DataType dt, long count, String where)
      throws MalformedInputException {
    if (count > Integer.MAX_VALUE / 8) {
      throw new MalformedInputException(where + ": tensor too large for JSON encoding");
    }
    List<JsonNode> flat = new ArrayList<>((int) count);
    flatten(data, flat, where);
    if (flat.size() != count) {
      throw new MalformedInputException(where + ": " + flat.size() + " values, the shape needs " + count);
    }
    return elements(flat, dt, where);
  }

  /**
   * The little-endian bytes of flat JSON elements of type {@code dt}: integers range-checked, BOOL from
   * true/false, BYTES from strings. Floats also take the strings {@code "NaN"}, {@code "Infinity"} and
   * {@code "-Infinity"}, which is how this codec (Jackson) writes non-finite values.
   */
  static byte[] elements(List<JsonNode> flat, DataType dt, String where) throws MalformedInputException {
    if (dt == DataType.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (int i = 0; i < flat.size(); i++) {
        JsonNode v = flat.get(i);
        if (!v.isTextual()) {
          throw new MalformedInputException(where + "[" + i + "]: expected a string");
        }
        byte[] s = v.asText().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(s.length).array());
        out.writeBytes(s);
      }
      return out.toByteArray();
    }
    ByteBuffer b = ByteBuffer.allocate(flat.size() * dt.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < flat.size(); i++) {
      JsonNode v = flat.get(i);
      if (dt.isFloatingPoint()) {
        double d = floating(v, where, i);
        switch (dt) {
          case FP16 -> b.putShort(Half.fromFloat((float) d));
          case FP32 -> b.putFloat((float) d);
          default -> b.putDouble(d);
        }
        continue;
      }
      if (dt == DataType.BOOL) {
        if (!v.isBoolean()) {
          throw new MalformedInputException(where + "[" + i + "]: expected true or false");
        }
        b.put((byte) (v.asBoolean() ? 1 : 0));
        continue;
      }
      if (!v.isNumber()) {
        throw new MalformedInputException(where + "[" + i + "]: expected a number");
      }
      if (!v.isIntegralNumber()) {
        throw new MalformedInputException(where + "[" + i + "]: expected an integer for " + dt);
      }
      switch (dt) {
        case UINT8 -> b.put((byte) range(v.asLong(), 0, 255, where, i));
        case INT8 -> b.put((byte) range(v.asLong(), Byte.MIN_VALUE, Byte.MAX_VALUE, where, i));
        case UINT16 -> b.putShort((short) range(v.asLong(), 0, 65535, where, i));
        case INT16 -> b.putShort((short) range(v.asLong(), Short.MIN_VALUE, Short.MAX_VALUE, where, i));
        case UINT32 -> b.putInt((int) range(v.asLong(), 0, 0xffffffffL, where, i));
        case INT32 -> b.putInt((int) range(v.asLong(), Integer.MIN_VALUE, Integer.MAX_VALUE, where, i));
        case UINT64 -> b.putLong(v.bigIntegerValue().longValue());
        case INT64 -> {
          if (!v.canConvertToLong()) {
            throw new MalformedInputException(where + "[" + i + "]: out of range for INT64");
          }
          b.putLong(v.asLong());
        }
        default -> throw new IllegalStateException(dt.name());
      }
    }
    return b.array();
  }

  private static double floating(JsonNode v, String where, int i) throws MalformedInputException {
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual()) {
      switch (v.asText()) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          // not a number: refused below
        }
      }
    }
    throw new MalformedInputException(where + "[" + i + "]: expected a number");
  }

  private static long range(long v, long min, long max, String where, int i) throws MalformedInputException {
    if (v < min || v > max) {
      throw new MalformedInputException(where + "[" + i + "]: " + v + " is out of range");
    }
    return v;
  }

  private static void flatten(JsonNode n, List<JsonNode> out, String where) throws MalformedInputException {
    if (n.isArray()) {
      for (JsonNode c : n) {
        flatten(c, out, where);
      }
    } else if (n.isObject()) {
      throw new MalformedInputException(where + ": expected values or nested arrays, found an object");
    } else {
      out.add(n);
    }
  }

  /** The tensor's elements as a flat JSON array. */
  public static ArrayNode toJson(Tensor t) {
    ArrayNode a = NODES.arrayNode();
    if (t.datatype() == DataType.BYTES) {
      ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
      while (b.remaining() >= 4) {
        int len = b.getInt();
        byte[] s = new byte[len];
        b.get(s);
        a.add(new String(s, StandardCharsets.UTF_8));
      }
      return a;
    }
    ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    long n = t.elementCount();
    for (long i = 0; i < n; i++) {
      switch (t.datatype()) {
        case BOOL -> a.add(b.get() != 0);
        case UINT8 -> a.add(b.get() & 0xff);
        case INT8 -> a.add(b.get());
        case UINT16 -> a.add(b.getShort() & 0xffff);
        case INT16 -> a.add(b.getShort());
        case UINT32 -> a.add(b.getInt() & 0xffffffffL);
        case INT32 -> a.add(b.getInt());
        case UINT64 -> a.add(new java.math.BigInteger(Long.toUnsignedString(b.getLong())));
        case INT64 -> a.add(b.getLong());
        case FP16 -> a.add(Half.toFloat(b.getShort()));
        case FP32 -> a.add(b.getFloat());
        case FP64 -> a.add(b.getDouble());
        default -> throw new IllegalStateException(t.datatype().name());
      }
    }
    return a;
  }

  /** OIP datatype names are exact ("FP32"): another spelling is refused like an unknown name (null). */
  private static DataType datatype(String name) {
    for (DataType d : DataType.values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
