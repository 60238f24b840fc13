package dev.warden.gateway.protocol;

/** Open Inference Protocol tensor element types, with their little-endian element sizes. */
public enum DataType {
  BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8),
  FP16(2), FP32(4), FP64(8),
  /** Variable-length byte strings; in binary form each element is a 4-byte LE length + bytes. */
  BYTES(-1);

  private final int size;

  DataType(int size) {
    this.size = size;
  }

  /** Bytes per element, or -1 for {@link #BYTES}. */
  public int size() {
    return size;
  }

  public boolean isFloat() {
    return this == FP16 || this == FP32 || this == FP64;
  }

  /** Parses an OIP datatype name; null when unknown. */
  public static DataType parse(String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
