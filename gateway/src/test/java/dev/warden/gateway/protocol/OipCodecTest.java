package dev.warden.gateway.protocol;

import dev.warden.detectors.digest.DataType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OipCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void unmodifiedMessage_isEncodedAsTheOriginalBytes() throws Exception {
    Buffer body = Buffer.buffer("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,2]}]}");
    InferenceMessage m = OipCodec.decodeRequest(body, null);

    OipCodec.Encoded enc = OipCodec.encode(m, "inputs");

    assertSame(body, enc.body());
    assertEquals(-1, enc.headerLength());
  }

  @Test
  void nestedAndFlatJsonData_decodeToTheSameCanonicalBytes() throws Exception {
    InferenceMessage nested = OipCodec.decodeRequest(Buffer.buffer(
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[2,2],\"data\":[[1,2],[3,-4]]}]}"), null);
    InferenceMessage flat = OipCodec.decodeRequest(Buffer.buffer(
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[2,2],\"data\":[1,2,3,-4]}]}"), null);

    byte[] want = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(3).putInt(-4).array();
    assertArrayEquals(want, nested.tensor("x").data());
    assertArrayEquals(want, flat.tensor("x").data());
    assertArrayEquals(new long[] {2, 2}, nested.tensor("x").shape());
  }

  @Test
  void jsonAndBinaryForms_decodeToTheSameCanonicalBytes() throws Exception {
    InferenceMessage json = OipCodec.decodeRequest(Buffer.buffer(
        "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[0.5,-1,2]}]}"), null);
    byte[] header = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3],\"parameters\":{\"binary_data_size\":12}}]}"
        .getBytes(StandardCharsets.UTF_8);
    Buffer bin = Buffer.buffer(header).appendBytes(floats(0.5f, -1f, 2f));
    InferenceMessage binary = OipCodec.decodeRequest(bin, Integer.toString(header.length));

    assertTrue(binary.binary());
    assertFalse(json.binary());
    assertArrayEquals(json.tensor("x").data(), binary.tensor("x").data());
  }

  @Test
  void binaryReencodeAfterSetDoubles_keepsLayout_andFixesHeaderLength() throws Exception {
    // Tensor a binary, b inline JSON: a stage (later DP noise) rewrites both.
    byte[] header = ("{\"id\":\"q\",\"inputs\":[{\"name\":\"a\",\"datatype\":\"FP32\",\"shape\":[1,2],"
        + "\"parameters\":{\"binary_data_size\":8}},{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[7,8]}]}")
        .getBytes(StandardCharsets.UTF_8);
    Buffer body = Buffer.buffer(header).appendBytes(floats(1f, 2f));
    InferenceMessage m = OipCodec.decodeRequest(body, Integer.toString(header.length));

    m.tensor("a").setDoubles(new double[] {0.125, 1234.5});
    m.tensor("b").setDoubles(new double[] {-1, 1e12});
    OipCodec.Encoded enc = OipCodec.encode(m, "inputs");

    JsonNode h = JSON.readTree(enc.body().getBytes(0, enc.headerLength()));
    assertEquals(enc.body().length() - 8, enc.headerLength(), "the header length covers exactly the JSON part");
    assertEquals(8, h.at("/inputs/0/parameters/binary_data_size").asInt());
    assertFalse(h.at("/inputs/0").has("data"));
    assertEquals("q", h.get("id").asText(), "other fields survive re-encoding");
    assertEquals(1e12, h.at("/inputs/1/data/1").asDouble());
    assertArrayEquals(floats(0.125f, 1234.5f), enc.body().getBytes(enc.headerLength(), enc.body().length()));
    InferenceMessage again = OipCodec.decodeRequest(enc.body(), Integer.toString(enc.headerLength()));
    assertArrayEquals(new double[] {0.125, 1234.5}, again.tensor("a").toDoubles());
    assertArrayEquals(new double[] {-1, 1e12}, again.tensor("b").toDoubles());
  }

  @Test
  void binaryReencodeOfAResizedBytesTensor_fixesBinaryDataSize() throws Exception {
    byte[] data = bytesElements("hi", "there");
    byte[] header = ("{\"outputs\":[{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[2],"
        + "\"parameters\":{\"binary_data_size\":" + data.length + "}}]}").getBytes(StandardCharsets.UTF_8);
    InferenceMessage m = OipCodec.decodeResponse(Buffer.buffer(header).appendBytes(data), Integer.toString(header.length));

    byte[] longer = bytesElements("hello", "everyone here");
    m.tensor("s").replaceData(longer);
    OipCodec.Encoded enc = OipCodec.encode(m, "outputs");

    JsonNode h = JSON.readTree(enc.body().getBytes(0, enc.headerLength()));
    assertEquals(longer.length, h.at("/outputs/0/parameters/binary_data_size").asInt());
    assertEquals(enc.headerLength() + longer.length, enc.body().length());
    InferenceMessage again = OipCodec.decodeResponse(enc.body(), Integer.toString(enc.headerLength()));
    assertEquals("[\"hello\",\"everyone here\"]", OipCodec.toJson(again.tensor("s")).toString());
  }

  @Test
  void jsonReencodeAfterSetDoubles_writesTheNewValues() throws Exception {
    InferenceMessage m = OipCodec.decodeResponse(Buffer.buffer(
        "{\"model_name\":\"m\",\"outputs\":[{\"name\":\"p\",\"datatype\":\"FP64\",\"shape\":[1,2],\"data\":[0.3,0.7]}]}"), null);

    m.tensor("p").setDoubles(new double[] {0.5, 0.5});
    OipCodec.Encoded enc = OipCodec.encode(m, "outputs");

    assertEquals(-1, enc.headerLength());
    JsonNode out = JSON.readTree(enc.body().getBytes());
    assertEquals("[0.5,0.5]", out.at("/outputs/0/data").toString());
    assertEquals("m", out.get("model_name").asText());
  }

  @Test
  void nonFiniteFloats_areWrittenAsJsonStrings_andReadBack() throws Exception {
    InferenceMessage m = OipCodec.decodeRequest(Buffer.buffer("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\","
        + "\"shape\":[4],\"data\":[\"NaN\",\"Infinity\",\"-Infinity\",1]}]}"), null);

    assertArrayEquals(new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1},
        m.tensor("x").toDoubles());
    m.tensor("x").setDoubles(m.tensor("x").toDoubles());
    assertEquals("[\"NaN\",\"Infinity\",\"-Infinity\",1.0]",
        JSON.readTree(OipCodec.encode(m, "inputs").body().getBytes()).at("/inputs/0/data").toString());
  }

  @Test
  void encodeResponse_appendsTheBinaryOutputsAfterTheJsonAndInlinesTheOthers() throws Exception {
    Tensor p = new Tensor("p", DataType.FP32, new long[] {1, 2}, floats(0.25f, 0.75f), JSON.createObjectNode());
    Tensor k = new Tensor("k", DataType.INT32, new long[] {1}, new byte[] {7, 0, 0, 0}, JSON.createObjectNode());
    com.fasterxml.jackson.databind.node.ObjectNode header = JSON.createObjectNode().put("model_name", "m").put("id", "r1");

    OipCodec.Encoded bin = OipCodec.encodeResponse(header, java.util.List.of(p, k), "p"::equals);
    OipCodec.Encoded json = OipCodec.encodeResponse(header, java.util.List.of(p, k), name -> false);

    assertEquals("{\"model_name\":\"m\",\"id\":\"r1\",\"outputs\":["
        + "{\"name\":\"p\",\"datatype\":\"FP32\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":8}},"
        + "{\"name\":\"k\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[7]}]}",
        bin.body().getString(0, bin.headerLength()));
    assertArrayEquals(floats(0.25f, 0.75f), bin.body().getBytes(bin.headerLength(), bin.body().length()));
    assertEquals(-1, json.headerLength());
    assertEquals("[0.25,0.75]", JSON.readTree(json.body().getBytes()).at("/outputs/0/data").toString());
    assertFalse(header.has("outputs"), "the caller's header is not modified");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"inputs\":                                  | ''           | NOT_JSON",
      "[1]                                           | ''           | NOT_JSON",
      "{\"inputs\":[]}                               | ''           | INVALID",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"parameters\":{\"binary_data_size\":4}}]} | '' | FRAMING",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}xx | 66 | FRAMING",
      "{\"inputs\":[]}                               | 99           | FRAMING",
  })
  void refusals_sayWhetherTheBodyWasUnreadableOrInvalid(String body, String headerLength,
      MalformedInputException.Kind kind) {
    MalformedInputException e = assertThrows(MalformedInputException.class,
        () -> OipCodec.decodeRequest(Buffer.buffer(body), headerLength.isEmpty() ? null : headerLength));
    assertEquals(kind, e.kind(), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"id\":\"x\"}                                                                      | inputs: required",
      "{\"inputs\":{}}                                                                     | inputs: expected an array",
      "{\"inputs\":[]}                                                                     | inputs: at least one tensor",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}                   | inputs[0].name: required",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP33\",\"shape\":[1],\"data\":[1]}]}    | inputs[0].datatype: unknown datatype 'FP33'",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1],\"data\":[1]}]}   | inputs[0].shape[0]: expected a non-negative integer",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[4],\"data\":[1,2,3]}]} | inputs[0].data: 3 values, the shape needs 4",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[300]}]}  | inputs[0].data[0]: 300 is out of range",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT32\",\"shape\":[1],\"data\":[1.5]}]}  | inputs[0].data[0]: expected an integer",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]}                 | inputs[0].data: required",
      "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"parameters\":{\"binary_data_size\":4}}]} | inputs[0].parameters.binary_data_size: set, but the request has no",
      "[1,2]                                                                              | body: expected a JSON object",
      "{\"inputs\":                                                                       | body is not valid JSON",
  })
  void malformedJsonBodies_are422MessagesNamingTheField(String body, String message) {
    MalformedInputException e = assertThrows(MalformedInputException.class,
        () -> OipCodec.decodeRequest(Buffer.buffer(body), null));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void malformedBinaryBodies_nameTheLengthThatIsWrong() {
    byte[] header = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"parameters\":{\"binary_data_size\":8}}]}"
        .getBytes(StandardCharsets.UTF_8);
    Buffer shortData = Buffer.buffer(header).appendBytes(floats(1f));
    Buffer extra = Buffer.buffer(header).appendBytes(floats(1f, 2f, 3f));
    Buffer full = Buffer.buffer(header).appendBytes(floats(1f, 2f));

    assertMessage("inputs[0].parameters.binary_data_size: 8 bytes, but only 4 remain",
        () -> OipCodec.decodeRequest(shortData, Integer.toString(header.length)));
    assertMessage("body: 4 bytes of binary data are not described",
        () -> OipCodec.decodeRequest(extra, Integer.toString(header.length)));
    assertMessage("Inference-Header-Content-Length: 9999 is outside the body",
        () -> OipCodec.decodeRequest(full, "9999"));
    assertMessage("Inference-Header-Content-Length: not an integer",
        () -> OipCodec.decodeRequest(full, "ten"));
  }

  private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
    MalformedInputException e = assertThrows(MalformedInputException.class, call);
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] bytesElements(String... s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String e : s) {
      byte[] b = e.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
