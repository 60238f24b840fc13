package dev.warden.crypto.secagg;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict reader for {@link ByteWriter} output: every bound is checked and trailing bytes are refused. */
final class ByteReader {
  private final byte[] b;
  private final String what;
  private int pos;
  private final int end;

  ByteReader(byte[] b, String what) {
    this(b, 0, b.length, what);
  }

  ByteReader(byte[] b, int off, int len, String what) {
    if (b == null) throw SecAggException.malformed(what + ": no bytes");
    this.b = b;
    this.pos = off;
    this.end = off + len;
    this.what = what;
  }

  private void need(int n) {
    if (n < 0 || end - pos < n) {
      throw SecAggException.malformed(what + ": truncated at byte " + pos + " (needed " + n + " more)");
    }
  }

  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  int u8() {
    need(1);
    return b[pos++] & 0xff;
  }

  int u16() {
    need(2);
    int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int u32() {
    need(4);
    int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  /** u32 that must lie in [min, max]. */
  int u32(int min, int max, String field) {
    int v = u32();
    if (v < min || v > max) {
      throw SecAggException.malformed(what + ": " + field + " " + Integer.toUnsignedString(v) + " outside [" + min + ", " + max + "]");
    }
    return v;
  }

  long u64() {
    long hi = u32() & 0xffffffffL;
    long lo = u32() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  double f64() {
    return Double.longBitsToDouble(u64());
  }

  byte[] fixed(int n) {
    need(n);
    byte[] r = new byte[n];
    System.arraycopy(b, pos, r, 0, n);
    pos += n;
    return r;
  }

  byte[] bytes(int maxLen) {
    int n = u32();
    if (n < 0 || n > maxLen) throw SecAggException.malformed(what + ": byte string length " + Integer.toUnsignedString(n) + " exceeds " + maxLen);
    return fixed(n);
  }

  String str(int maxLen) {
    int n = u16();
    if (n > maxLen) throw SecAggException.malformed(what + ": string length " + n + " exceeds " + maxLen);
    need(n);
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, pos, n))
          .toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw SecAggException.malformed(what + ": string is not valid UTF-8");
    }
  }

  void end() {
    if (pos != end) throw SecAggException.malformed(what + ": " + (end - pos) + " trailing bytes");
  }
}
