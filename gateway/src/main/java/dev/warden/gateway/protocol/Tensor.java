package dev.warden.gateway.protocol;

import dev.warden.detectors.digest.DataType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.detectors.digest.Half;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor in the gateway's internal model: datatype, shape, and the data as row-major
 * little-endian bytes (the OIP binary layout; BYTES elements are 4-byte-length-prefixed). JSON and
 * binary requests decode to the same bytes, so digests and detectors see one canonical form.
 *
 * <p>Mutable only through {@link #replaceData}, which marks the tensor modified so the codec
 * re-encodes it; untouched tensors are forwarded byte-exact.
 */
public final class Tensor {
  private final String name;
  private final DataType datatype;
  private final long[] shape;
  private byte[] data;
  private final ObjectNode parameters;
  private boolean modified;

  public Tensor(String name, DataType datatype, long[] shape, byte[] data, ObjectNode parameters) {
    this.name = name;
    this.datatype = datatype;
    this.shape = shape.clone();
    this.data = data;
    this.parameters = parameters;
  }

  public String name() {
    return name;
  }

  public DataType datatype() {
    return datatype;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** The number of elements the shape declares. */
  public long elementCount() {
    return elementCount(shape);
  }

  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Raw row-major little-endian bytes (not a copy: do not modify; use {@link #replaceData}). */
  public byte[] data() {
    return data;
  }

  /** Per-tensor OIP parameters (never null; may be empty). */
  public ObjectNode parameters() {
    return parameters;
  }

  public boolean modified() {
    return modified;
  }

  /** Replaces the data (same datatype and shape) and marks the tensor for re-encoding. */
  public void replaceData(byte[] newData) {
    if (datatype != DataType.BYTES && newData.length != data.length) {
      throw new IllegalArgumentException("new data has " + newData.length + " bytes, tensor has " + data.length);
    }
    this.data = newData;
    this.modified = true;
  }

  /** The elements as doubles (numeric types only). */
  public double[] toDoubles() {
    int n = Math.toIntExact(elementCount());
    double[] out = new double[n];
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      out[i] = switch (datatype) {
        case BOOL -> b.get() != 0 ? 1 : 0;
        case UINT8 -> b.get() & 0xff;
        case INT8 -> b.get();
        case UINT16 -> b.getShort() & 0xffff;
        case INT16 -> b.getShort();
        case UINT32 -> b.getInt() & 0xffffffffL;
        case INT32 -> b.getInt();
        case UINT64 -> unsignedLongToDouble(b.getLong());
        case INT64 -> b.getLong();
        case FP16 -> Half.toFloat(b.getShort());
        case FP32 -> b.getFloat();
        case FP64 -> b.getDouble();
        case BYTES -> throw new IllegalStateException("BYTES tensor " + name + " has no numeric value");
      };
    }
    return out;
  }

  /** Replaces the elements from doubles, converting to this tensor's datatype (rounding integers). */
  public void setDoubles(double[] values) {
    if (values.length != elementCount()) {
      throw new IllegalArgumentException("expected " + elementCount() + " values, got " + values.length);
    }
    ByteBuffer b = ByteBuffer.allocate(data.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      switch (datatype) {
        case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
        case UINT8, INT8 -> b.put((byte) Math.round(v));
        case UINT16, INT16 -> b.putShort((short) Math.round(v));
        case UINT32, INT32 -> b.putInt((int) Math.round(v));
        case UINT64, INT64 -> b.putLong(Math.round(v));
        case FP16 -> b.putShort(Half.fromFloat((float) v));
        case FP32 -> b.putFloat((float) v);
        case FP64 -> b.putDouble(v);
        case BYTES -> throw new IllegalStateException("BYTES tensor " + name + " has no numeric value");
      }
    }
    replaceData(b.array());
  }

  private static double unsignedLongToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + datatype + " " + Arrays.toString(shape) + "]";
  }
}
