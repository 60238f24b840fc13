package dev.warden.detectors.digest;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class InputDigesterTest {
  static final byte[] KEY = new byte[32];
  static {
    for (int i = 0; i < 32; i++) KEY[i] = (byte) i;
  }
  final InputDigester digester = new InputDigester(DigestKey.fromBytes(KEY));

  static byte[] le(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return b.array();
  }

  @Test
  void jsonAndBinaryForms_ofSameTensor_giveSameDigest() {
    Tensor json = Tensor.fromJson("input", DataType.FP32, new long[] {1, 4}, List.of(List.of(0.5, 1, 16.0, 3.25)));
    Tensor bin = Tensor.fromBinary("input", DataType.FP32, new long[] {1, 4}, le(0.5f, 1f, 16f, 3.25f));
    assertEquals(json, bin);
    assertEquals(digester.digest("digits", "1", List.of(json)), digester.digest("digits", "1", List.of(bin)));
  }

  @Test
  void jsonDecimal_roundsLikeFloat32Binary() {
    Tensor json = Tensor.fromJson("x", DataType.FP32, new long[] {1}, List.of(0.1));
    Tensor bin = Tensor.fromBinary("x", DataType.FP32, new long[] {1}, le(0.1f));
    assertEquals(digester.digest("m", null, List.of(json)), digester.digest("m", null, List.of(bin)));
  }

  @Test
  void negativeZero_equalsPositiveZero() {
    Tensor pos = Tensor.ofFloats("x", new long[] {2}, new float[] {0f, 1f});
    Tensor neg = Tensor.fromBinary("x", DataType.FP32, new long[] {2}, le(-0f, 1f));
    assertEquals(digester.digest("m", "1", List.of(pos)), digester.digest("m", "1", List.of(neg)));
    Tensor neg64 = Tensor.fromJson("y", DataType.FP64, new long[] {1}, List.of(-0.0));
    Tensor pos64 = Tensor.fromJson("y", DataType.FP64, new long[] {1}, List.of(0.0));
    assertEquals(digester.digest("m", "1", List.of(pos64)), digester.digest("m", "1", List.of(neg64)));
    Tensor neg16 = Tensor.fromBinary("h", DataType.FP16, new long[] {1}, new byte[] {0x00, (byte) 0x80});
    Tensor pos16 = Tensor.fromJson("h", DataType.FP16, new long[] {1}, List.of(0));
    assertEquals(digester.digest("m", "1", List.of(pos16)), digester.digest("m", "1", List.of(neg16)));
  }

  @Test
  void allNaNPatterns_digestAlike() {
    float otherNaN = Float.intBitsToFloat(0xFFC00123); // negative, with payload
    assertTrue(Float.isNaN(otherNaN));
    Tensor a = Tensor.fromBinary("x", DataType.FP32, new long[] {1}, le(Float.NaN));
    Tensor b = Tensor.fromBinary("x", DataType.FP32, new long[] {1}, le(otherNaN));
    Tensor c = Tensor.fromBinary("x", DataType.FP32, new long[] {1}, le(Float.intBitsToFloat(0x7F800001))); // signalling
    InputDigest da = digester.digest("m", "1", List.of(a));
    assertEquals(da, digester.digest("m", "1", List.of(b)));
    assertEquals(da, digester.digest("m", "1", List.of(c)));
    assertNotEquals(da, digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {Float.POSITIVE_INFINITY}))));
    Tensor d1 = Tensor.fromJson("d", DataType.FP64, new long[] {1}, List.of(Double.NaN));
    ByteBuffer other = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xFFF0000000000001L);
    Tensor d2 = Tensor.fromBinary("d", DataType.FP64, new long[] {1}, other.array());
    assertEquals(digester.digest("m", "1", List.of(d1)), digester.digest("m", "1", List.of(d2)));
  }

  @Test
  void inputOrder_andParameterOrder_doNotMatter() {
    Tensor a = Tensor.ofFloats("a", new long[] {1}, new float[] {1});
    Tensor b = Tensor.fromJson("b", DataType.INT64, new long[] {2}, List.of(7, -8));
    Map<String, Object> p1 = new LinkedHashMap<>();
    p1.put("temperature", 0.5);
    p1.put("top_k", 3);
    Map<String, Object> p2 = new LinkedHashMap<>();
    p2.put("top_k", 3L);
    p2.put("temperature", 0.5);
    assertEquals(digester.digest("m", "1", List.of(a, b), p1), digester.digest("m", "1", List.of(b, a), p2));
    // 3 and 3.0 are the same number
    assertEquals(digester.digest("m", "1", List.of(a), Map.of("k", 3)), digester.digest("m", "1", List.of(a), Map.of("k", 3.0)));
  }

  @Test
  void everyField_changesTheDigest() {
    Tensor t = Tensor.ofFloats("x", new long[] {2, 2}, new float[] {1, 2, 3, 4});
    InputDigest base = digester.digest("m", "1", List.of(t));
    assertNotEquals(base, digester.digest("m2", "1", List.of(t)));
    assertNotEquals(base, digester.digest("m", "2", List.of(t)));
    assertNotEquals(base, digester.digest("m", null, List.of(t)));
    assertNotEquals(base, digester.digest("m", "", List.of(t)));
    assertNotEquals(base, digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {4}, new float[] {1, 2, 3, 4}))));
    assertNotEquals(base, digester.digest("m", "1", List.of(Tensor.ofFloats("y", new long[] {2, 2}, new float[] {1, 2, 3, 4}))));
    assertNotEquals(base, digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {2, 2}, new float[] {1, 2, 3, 5}))));
    assertNotEquals(base, digester.digest("m", "1", List.of(Tensor.fromJson("x", DataType.INT32, new long[] {2, 2}, List.of(1065353216, 1073741824, 1077936128, 1082130432)))),
        "same bytes, other datatype");
    assertNotEquals(base, digester.digest("m", "1", List.of(t), Map.of("p", true)));
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    assertNotEquals(base, new InputDigester(DigestKey.fromBytes(otherKey)).digest("m", "1", List.of(t)));
    // length prefixes: ("ab","c") vs ("a","bc") for model/version
    assertNotEquals(digester.digest("ab", "c", List.of(t)), digester.digest("a", "bc", List.of(t)));
  }

  @Test
  void bytesTensors_jsonAndBinary_agree_andAreLengthPrefixed() {
    Tensor json = Tensor.ofStrings("text", new long[] {2}, List.of("ab", "c"));
    ByteBuffer bb = ByteBuffer.allocate(4 + 2 + 4 + 1).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(2).put((byte) 'a').put((byte) 'b').putInt(1).put((byte) 'c');
    Tensor bin = Tensor.fromBinary("text", DataType.BYTES, new long[] {2}, bb.array());
    assertEquals(digester.digest("m", "1", List.of(json)), digester.digest("m", "1", List.of(bin)));
    assertNotEquals(digester.digest("m", "1", List.of(json)),
        digester.digest("m", "1", List.of(Tensor.ofStrings("text", new long[] {2}, List.of("a", "bc")))));
  }

  /** Pins the v1 encoding: recomputed here by hand from the format in InputDigester's javadoc. */
  @Test
  void knownAnswer_matchesHandBuiltEncoding() throws Exception {
    Tensor t = Tensor.fromJson("input", DataType.FP32, new long[] {1, 2}, List.of(-0.0, 2.5));
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    str(o, "warden/input-digest/v1");
    str(o, "digits");
    o.write(1);
    str(o, "1");
    o.write(le32(1));
    str(o, "top_k");
    o.write('i');
    o.write(le64(5));
    o.write(le32(1));
    str(o, "input");
    str(o, "FP32");
    o.write(le32(2));
    o.write(le64(1));
    o.write(le64(2));
    o.write(le64(8));
    o.write(le(0f, 2.5f));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
    byte[] expected = mac.doFinal(o.toByteArray());
    assertArrayEquals(expected, digester.digest("digits", "1", List.of(t), Map.of("top_k", 5)).bytes());
  }

  @Test
  void badInputs_areRefusedWithCause() {
    Tensor t = Tensor.ofFloats("x", new long[] {1}, new float[] {1});
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> digester.digest("m", "1", List.of(t, t)));
    assertTrue(dup.getMessage().contains("'x' appears twice"));
    assertThrows(IllegalArgumentException.class, () -> digester.digest("m", "1", List.of(t), Map.of("p", List.of(1))));
    assertThrows(IllegalArgumentException.class, () -> digester.digest("", "1", List.of(t)));
    assertThrows(IllegalArgumentException.class, () -> DigestKey.fromBytes(new byte[16]));
    assertFalse(DigestKey.fromBytes(KEY).toString().contains("000102"));
  }

  @Test
  void digestHex_roundTrips_andComparesByValue() {
    InputDigest d = digester.digest("m", "1", List.of(Tensor.ofFloats("x", new long[] {1}, new float[] {1})));
    assertEquals(64, d.hex().length());
    assertEquals(d, InputDigest.fromHex(d.hex()));
    assertEquals(d.hashCode(), InputDigest.fromHex(d.hex()).hashCode());
    assertThrows(IllegalArgumentException.class, () -> InputDigest.fromHex("zz"));
  }

  private static void str(ByteArrayOutputStream o, String s) throws Exception {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    o.write(le32(b.length));
    o.write(b);
  }

  private static byte[] le32(int v) { return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array(); }

  private static byte[] le64(long v) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(); }

  @SuppressWarnings("unused")
  private static String show(byte[] b) { return Arrays.toString(b); }
}
