package dev.warden.gateway.demo.backends;

import ai.onnxruntime.OnnxJavaType;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * The Open Inference Protocol datatypes the demo model server supports, with their ONNX Runtime type, the
 * size of one element, and the conversions between a JSON value, the little-endian wire form of the binary
 * tensor extension, and back.
 */
enum TensorType {
  BOOL("BOOL", OnnxJavaType.BOOL, 1),
  UINT8("UINT8", OnnxJavaType.UINT8, 1),
  INT8("INT8", OnnxJavaType.INT8, 1),
  INT16("INT16", OnnxJavaType.INT16, 2),
  INT32("INT32", OnnxJavaType.INT32, 4),
  INT64("INT64", OnnxJavaType.INT64, 8),
  FP32("FP32", OnnxJavaType.FLOAT, 4),
  FP64("FP64", OnnxJavaType.DOUBLE, 8);

  private final String oipName;
  private final OnnxJavaType onnxType;
  private final int byteSize;

  TensorType(String oipName, OnnxJavaType onnxType, int byteSize) {
    this.oipName = oipName;
    this.onnxType = onnxType;
    this.byteSize = byteSize;
  }

  /** The datatype name used on the wire, e.g. {@code FP32}. */
  String oipName() {
    return oipName;
  }

  OnnxJavaType onnxType() {
    return onnxType;
  }

  int byteSize() {
    return byteSize;
  }

  /** Parses an OIP datatype name; {@code null} when the name is unknown or unsupported. */
  static TensorType fromOipName(String name) {
    if (name == null) {
      return null;
    }
    String upper = name.toUpperCase(Locale.ROOT);
    for (TensorType t : values()) {
      if (t.oipName.equals(upper)) {
        return t;
      }
    }
    return null;
  }

  /** The OIP datatype of an ONNX Runtime tensor element type; {@code null} when unsupported. */
  static TensorType fromOnnx(OnnxJavaType type) {
    for (TensorType t : values()) {
      if (t.onnxType == type) {
        return t;
      }
    }
    return null;
  }

  /**
   * Writes one JSON element at the buffer's position (little-endian).
   *
   * @param field names the JSON field in error messages
   * @throws BackendException (422) when the value is not of this type or out of range
   */
  void put(ByteBuffer out, JsonNode value, String field) {
    switch (this) {
      case BOOL -> {
        if (!value.isBoolean()) {
          throw mismatch(value, field);
        }
        out.put((byte) (value.booleanValue() ? 1 : 0));
      }
      case FP32 -> out.putFloat((float) floating(value, field));
      case FP64 -> out.putDouble(floating(value, field));
      default -> {
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
          throw mismatch(value, field);
        }
        long v = value.longValue();
        switch (this) {
          case UINT8 -> out.put((byte) checkRange(v, 0, 255, field));
          case INT8 -> out.put((byte) checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE, field));
          case INT16 -> out.putShort((short) checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE, field));
          case INT32 -> out.putInt((int) checkRange(v, Integer.MIN_VALUE, Integer.MAX_VALUE, field));
          case INT64 -> out.putLong(v);
          default -> throw new IllegalStateException(name());
        }
      }
    }
  }

  /** Writes the element at absolute byte offset {@code offset} of a little-endian buffer as a JSON value. */
  void write(JsonGenerator gen, ByteBuffer data, int offset) throws IOException {
    switch (this) {
      case BOOL -> gen.writeBoolean(data.get(offset) != 0);
      case UINT8 -> gen.writeNumber(data.get(offset) & 0xff);
      case INT8 -> gen.writeNumber(data.get(offset));
      case INT16 -> gen.writeNumber(data.getShort(offset));
      case INT32 -> gen.writeNumber(data.getInt(offset));
      case INT64 -> gen.writeNumber(data.getLong(offset));
      case FP32 -> {
        float f = data.getFloat(offset);
        if (Float.isFinite(f)) {
          gen.writeNumber(f);
        } else {
          gen.writeString(Float.toString(f)); // JSON has no NaN/Infinity literal
        }
      }
      case FP64 -> {
        double d = data.getDouble(offset);
        if (Double.isFinite(d)) {
          gen.writeNumber(d);
        } else {
          gen.writeString(Double.toString(d));
        }
      }
      default -> throw new IllegalStateException(name());
    }
  }

  /** A JSON number, or one of the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} that
   * {@link #write} produces for values JSON cannot spell. */
  private double floating(JsonNode value, String field) {
    if (value.isNumber()) {
      return value.doubleValue();
    }
    if (value.isTextual()) {
      switch (value.textValue()) {
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
          // not a number
        }
      }
    }
    throw mismatch(value, field);
  }

  private BackendException mismatch(JsonNode value, String field) {
    String shown = value.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "...";
    }
    return BackendException.invalidInput(field + ": element " + shown + " is not a " + oipName + " value");
  }

  private long checkRange(long v, long min, long max, String field) {
    if (v < min || v > max) {
      throw BackendException.invalidInput(field + ": element " + v + " is out of range for " + oipName);
    }
    return v;
  }
}
