package dev.warden.detectors.digest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One named input tensor in a wire-format-independent form: OIP datatype, shape, and the elements in
 * row-major order as raw little-endian bytes of the declared type (BYTES: one byte array per element).
 *
 * <p>The gateway builds one from OIP JSON ({@link #fromJson}) or from the binary extension
 * ({@link #fromBinary}); both give equal tensors, hence equal digests. Floating-point data is held
 * <b>canonical</b>: {@code -0.0} becomes {@code +0.0} and every NaN becomes the one quiet NaN
 * pattern, so values that compare equal as numbers digest equally; BOOL is held as 0/1. The tensor is
 * for digesting and screening; the gateway forwards the client's original body.
 *
 * <p>Immutable; accessors return copies.
 */
public final class Tensor {
  /** Largest element count accepted (2^28): bounds memory before a shape-product overflow can bite. */
  public static final long MAX_ELEMENTS = 1L << 28;

  private final String name;
  private final DataType datatype;
  private final long[] shape;
  private final byte[] data;          // fixed-size types: canonical little-endian bytes
  private final byte[][] elements;    // BYTES only

  private Tensor(String name, DataType datatype, long[] shape, byte[] data, byte[][] elements) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.data = data;
    this.elements = elements;
  }

  /**
   * A tensor from the OIP binary extension: {@code raw} is the little-endian element data; for
   * BYTES, each element is a 4-byte little-endian length followed by its bytes.
   *
   * @throws IllegalArgumentException if the byte count does not match the shape and type
   */
  public static Tensor fromBinary(String name, DataType datatype, long[] shape, byte[] raw) {
    checkName(name);
    Objects.requireNonNull(datatype, "datatype");
    Objects.requireNonNull(raw, "raw");
    long count = elementCount(name, shape);
    if (datatype == DataType.BYTES) {
      ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
      byte[][] els = new byte[(int) count][];
      for (int i = 0; i < count; i++) {
        if (bb.remaining() < 4) throw new IllegalArgumentException("input '" + name + "': BYTES data truncated at element " + i);
        int len = bb.getInt();
        if (len < 0 || len > bb.remaining()) {
          throw new IllegalArgumentException("input '" + name + "': BYTES element " + i + " declares " + Integer.toUnsignedString(len)
              + " bytes, " + bb.remaining() + " remain");
        }
        els[i] = new byte[len];
        bb.get(els[i]);
      }
      if (bb.hasRemaining()) throw new IllegalArgumentException("input '" + name + "': " + bb.remaining() + " bytes after the last BYTES element");
      return new Tensor(name, datatype, shape.clone(), null, els);
    }
    long expected = count * datatype.size();
    if (raw.length != expected) {
      throw new IllegalArgumentException("input '" + name + "': binary data has " + raw.length + " bytes, shape "
          + Arrays.toString(shape) + " of " + datatype + " needs " + expected);
    }
    byte[] d = raw.clone();
    canonicalise(datatype, d);
    return new Tensor(name, datatype, shape.clone(), d, null);
  }

  /**
   * A tensor from OIP JSON {@code data}: a flat or nested (row-major) list of {@link Number}s,
   * {@link Boolean}s (BOOL) or {@link String}s (BYTES, UTF-8), e.g. what a JSON parser returns.
   * Numbers are converted to the declared type; integer types refuse fractions and out-of-range values.
   *
   * @throws IllegalArgumentException naming the input and the offending element
   */
  public static Tensor fromJson(String name, DataType datatype, long[] shape, List<?> data) {
    checkName(name);
    Objects.requireNonNull(datatype, "datatype");
    Objects.requireNonNull(data, "data");
    long count = elementCount(name, shape);
    List<Object> flat = new ArrayList<>();
    flatten(name, data, flat, 0);
    if (flat.size() != count) {
      throw new IllegalArgumentException("input '" + name + "': data has " + flat.size() + " elements, shape "
          + Arrays.toString(shape) + " needs " + count);
    }
    if (datatype == DataType.BYTES) {
      byte[][] els = new byte[flat.size()][];
      for (int i = 0; i < els.length; i++) {
        Object o = flat.get(i);
        if (!(o instanceof String s)) throw new IllegalArgumentException("input '" + name + "': BYTES element " + i + " is not a string");
        els[i] = s.getBytes(StandardCharsets.UTF_8);
      }
      return new Tensor(name, datatype, shape.clone(), null, els);
    }
    ByteBuffer bb = ByteBuffer.allocate((int) count * datatype.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < flat.size(); i++) put(name, datatype, bb, flat.get(i), i);
    byte[] d = bb.array();
    canonicalise(datatype, d);
    return new Tensor(name, datatype, shape.clone(), d, null);
  }

  /** An FP32 tensor from floats (row-major). */
  public static Tensor ofFloats(String name, long[] shape, float[] values) {
    checkName(name);
    long count = elementCount(name, shape);
    if (values.length != count) throw new IllegalArgumentException("input '" + name + "': " + values.length + " values for " + count + " elements");
    ByteBuffer bb = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) bb.putFloat(v);
    byte[] d = bb.array();
    canonicalise(DataType.FP32, d);
    return new Tensor(name, DataType.FP32, shape.clone(), d, null);
  }

  /** A BYTES tensor of UTF-8 strings. */
  public static Tensor ofStrings(String name, long[] shape, List<String> values) {
    return fromJson(name, DataType.BYTES, shape, values);
  }

  public String name() { return name; }

  public DataType datatype() { return datatype; }

  public long[] shape() { return shape.clone(); }

  /** Number of elements (product of the shape). */
  public long elementCount() { return elementCount(name, shape); }

  /** A copy of the canonical little-endian data (fixed-size types). */
  public byte[] data() {
    if (data == null) throw new IllegalStateException("input '" + name + "' is BYTES: use elements()");
    return data.clone();
  }

  /** Copies of the BYTES elements. */
  public List<byte[]> elements() {
    if (elements == null) throw new IllegalStateException("input '" + name + "' is " + datatype + ", not BYTES");
    List<byte[]> out = new ArrayList<>(elements.length);
    for (byte[] e : elements) out.add(e.clone());
    return out;
  }

  /** The elements converted to float (numeric types; BOOL as 0/1), for screening. */
  public float[] toFloatArray() {
    if (data == null) throw new IllegalStateException("input '" + name + "' is BYTES, not numeric");
    int n = (int) elementCount();
    float[] out = new float[n];
    ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out[i] = switch (datatype) {
        case BOOL, UINT8 -> bb.get() & 0xFF;
        case INT8 -> bb.get();
        case UINT16 -> bb.getShort() & 0xFFFF;
        case INT16 -> bb.getShort();
        case UINT32 -> bb.getInt() & 0xFFFFFFFFL;
        case INT32 -> bb.getInt();
        case UINT64 -> unsignedToFloat(bb.getLong());
        case INT64 -> bb.getLong();
        case FP16 -> Half.toFloat(bb.getShort());
        case FP32 -> bb.getFloat();
        case FP64 -> (float) bb.getDouble();
        case BYTES -> throw new AssertionError();
      };
    }
    return out;
  }

  // package-private zero-copy access for the digester
  byte[] rawData() { return data; }

  byte[][] rawElements() { return elements; }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && name.equals(t.name) && datatype == t.datatype && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data) && Arrays.deepEquals(elements, t.elements);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape), Arrays.hashCode(data));
  }

  @Override
  public String toString() {
    return "Tensor[" + name + ", " + datatype + ", " + Arrays.toString(shape) + "]";
  }

  private static float unsignedToFloat(long v) {
    return v >= 0 ? v : (float) ((v >>> 1) * 2.0 + (v & 1));
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("input name is missing");
  }

  private static long elementCount(String name, long[] shape) {
    Objects.requireNonNull(shape, "shape");
    long n = 1;
    for (long d : shape) {
      if (d < 0) throw new IllegalArgumentException("input '" + name + "': negative dimension in shape " + Arrays.toString(shape));
      if (d != 0 && n > MAX_ELEMENTS / d) {
        throw new IllegalArgumentException("input '" + name + "': shape " + Arrays.toString(shape) + " exceeds " + MAX_ELEMENTS + " elements");
      }
      n *= d;
    }
    return n;
  }

  private static void flatten(String name, List<?> in, List<Object> out, int depth) {
    if (depth > 32) throw new IllegalArgumentException("input '" + name + "': data nested deeper than 32 levels");
    for (Object o : in) {
      if (o instanceof List<?> l) flatten(name, l, out, depth + 1);
      else if (o == null) throw new IllegalArgumentException("input '" + name + "': null element in data");
      else {
        if (out.size() >= MAX_ELEMENTS) throw new IllegalArgumentException("input '" + name + "': too many elements");
        out.add(o);
      }
    }
  }

  private static void put(String name, DataType t, ByteBuffer bb, Object o, int i) {
    if (t == DataType.BOOL) {
      if (!(o instanceof Boolean b)) throw new IllegalArgumentException("input '" + name + "': BOOL element " + i + " is not a boolean");
      bb.put((byte) (b ? 1 : 0));
      return;
    }
    if (!(o instanceof Number num)) throw new IllegalArgumentException("input '" + name + "': element " + i + " is not a number");
    switch (t) {
      case FP32 -> bb.putFloat(num.floatValue());
      case FP64 -> bb.putDouble(num.doubleValue());
      case FP16 -> bb.putShort(Half.fromFloat(num.floatValue()));
      default -> {
        long v = integral(name, num, i);
        long min;
        long max;
        switch (t) {
          case INT8 -> { min = Byte.MIN_VALUE; max = Byte.MAX_VALUE; }
          case UINT8 -> { min = 0; max = 0xFF; }
          case INT16 -> { min = Short.MIN_VALUE; max = Short.MAX_VALUE; }
          case UINT16 -> { min = 0; max = 0xFFFF; }
          case INT32 -> { min = Integer.MIN_VALUE; max = Integer.MAX_VALUE; }
          case UINT32 -> { min = 0; max = 0xFFFFFFFFL; }
          default -> { min = t == DataType.UINT64 ? 0 : Long.MIN_VALUE; max = Long.MAX_VALUE; }
        }
        if (v < min || v > max) throw new IllegalArgumentException("input '" + name + "': element " + i + " = " + v + " is out of range for " + t);
        switch (t.size()) {
          case 1 -> bb.put((byte) v);
          case 2 -> bb.putShort((short) v);
          case 4 -> bb.putInt((int) v);
          default -> bb.putLong(v);
        }
      }
    }
  }

  private static long integral(String name, Number num, int i) {
    if (num instanceof Long || num instanceof Integer || num instanceof Short || num instanceof Byte) return num.longValue();
    if (num instanceof java.math.BigInteger bi) {
      if (bi.bitLength() > 63) throw new IllegalArgumentException("input '" + name + "': element " + i + " is out of 64-bit range");
      return bi.longValue();
    }
    double d = num.doubleValue();
    if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) >= 0x1p63) {
      throw new IllegalArgumentException("input '" + name + "': element " + i + " = " + num + " is not an integer");
    }
    return (long) d;
  }

  /** Canonical float encodings (in place): -0 → +0, any NaN → one quiet NaN; BOOL → 0/1. */
  static void canonicalise(DataType t, byte[] d) {
    ByteBuffer bb = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    switch (t) {
      case FP32 -> {
        for (int i = 0; i < d.length; i += 4) {
          int bits = bb.getInt(i);
          if (bits == 0x80000000) bb.putInt(i, 0);
          else if (Float.isNaN(Float.intBitsToFloat(bits))) bb.putInt(i, CANONICAL_NAN_32);
        }
      }
      case FP64 -> {
        for (int i = 0; i < d.length; i += 8) {
          long bits = bb.getLong(i);
          if (bits == 0x8000000000000000L) bb.putLong(i, 0L);
          else if (Double.isNaN(Double.longBitsToDouble(bits))) bb.putLong(i, CANONICAL_NAN_64);
        }
      }
      case FP16 -> {
        for (int i = 0; i < d.length; i += 2) {
          int bits = bb.getShort(i) & 0xFFFF;
          if (bits == 0x8000) bb.putShort(i, (short) 0);
          else if ((bits & 0x7C00) == 0x7C00 && (bits & 0x03FF) != 0) bb.putShort(i, CANONICAL_NAN_16);
        }
      }
      case BOOL -> {
        for (int i = 0; i < d.length; i++) d[i] = (byte) (d[i] != 0 ? 1 : 0);
      }
      default -> { }
    }
  }

  /** The one FP32 NaN kept (quiet NaN, Java's Float.NaN). */
  static final int CANONICAL_NAN_32 = 0x7FC00000;
  /** The one FP64 NaN kept (quiet NaN, Java's Double.NaN). */
  static final long CANONICAL_NAN_64 = 0x7FF8000000000000L;
  /** The one FP16 NaN kept (quiet NaN). */
  static final short CANONICAL_NAN_16 = 0x7E00;
}
