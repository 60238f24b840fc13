package dev.warden.crypto.secagg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Canonical big-endian writer: fixed-width integers, length-prefixed strings and byte strings. */
final class ByteWriter {
  private final ByteArrayOutputStream out;

  ByteWriter() {
    this(256);
  }

  ByteWriter(int capacity) {
    out = new ByteArrayOutputStream(capacity);
  }

  ByteWriter u8(int v) {
    if (v < 0 || v > 0xff) throw new IllegalArgumentException("u8 out of range: " + v);
    out.write(v);
    return this;
  }

  ByteWriter u16(int v) {
    if (v < 0 || v > 0xffff) throw new IllegalArgumentException("u16 out of range: " + v);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  ByteWriter u32(int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
    return this;
  }

  ByteWriter u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  ByteWriter f64(double v) {
    return u64(Double.doubleToLongBits(v));
  }

  ByteWriter raw(byte[] b) {
    out.write(b, 0, b.length);
    return this;
  }

  ByteWriter fixed(byte[] b, int len) {
    if (b.length != len) throw new IllegalArgumentException("expected " + len + " bytes, got " + b.length);
    return raw(b);
  }

  /** u32 length + bytes. */
  ByteWriter bytes(byte[] b) {
    u32(b.length);
    return raw(b);
  }

  /** u16 length + UTF-8. */
  ByteWriter str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u16(b.length);
    return raw(b);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
