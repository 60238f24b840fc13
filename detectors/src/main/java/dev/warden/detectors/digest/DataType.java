package dev.warden.detectors.digest;

import java.util.Locale;

/** KServe Open Inference Protocol tensor data types, with their element size in bytes. */
public enum DataType {
  BOOL(1), UINT8(1), UINT16(2), UINT32(4), UINT64(8), INT8(1), INT16(2), INT32(4), INT64(8),
  FP16(2), FP32(4), FP64(8),
  /** Variable-length byte strings; {@link #size()} is -1. */
  BYTES(-1);

  private final int size;

  DataType(int size) { this.size = size; }

  /** Bytes per element, or -1 for BYTES. */
  public int size() { return size; }

  /** Whether this is a floating-point type (FP16, FP32, FP64). */
  public boolean isFloatingPoint() { return this == FP16 || this == FP32 || this == FP64; }

  /** The OIP spelling ({@code "FP32"}). */
  public String oipName() { return name(); }

  /**
   * Parses an OIP datatype name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the unknown type
   */
  public static DataType fromOip(String name) {
    if (name == null) throw new IllegalArgumentException("datatype is missing");
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown OIP datatype '" + name + "'");
    }
  }
}
