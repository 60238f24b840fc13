package dev.warden.gateway.protocol;

import dev.warden.detectors.digest.DataType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TfCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void instancesRows_decodeToOneTensorWithTheBatchShape() throws Exception {
    InferenceMessage m = TfCodec.decodeRequest(Buffer.buffer("{\"instances\":[[1,2,3],[4,5,6]]}"));

    assertEquals(1, m.tensors().size());
    Tensor t = m.tensors().get(0);
    assertEquals(DataType.FP64, t.datatype());
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, t.toDoubles());
  }

  @Test
  void namedInstances_becomeOneColumnTensorPerInput() throws Exception {
    InferenceMessage m = TfCodec.decodeRequest(Buffer.buffer(
        "{\"instances\":[{\"a\":[1,2],\"s\":\"x\"},{\"a\":[3,4],\"s\":{\"b64\":\"eXk=\"}}]}"));

    assertArrayEquals(new long[] {2, 2}, m.tensor("a").shape());
    assertArrayEquals(new double[] {1, 2, 3, 4}, m.tensor("a").toDoubles());
    assertEquals(DataType.BYTES, m.tensor("s").datatype());
    assertEquals("[\"x\",\"yy\"]", OipCodec.toJson(m.tensor("s")).toString());
  }

  @Test
  void columnarInputs_decodeByName() throws Exception {
    InferenceMessage m = TfCodec.decodeRequest(Buffer.buffer("{\"inputs\":{\"a\":[[1,2]],\"flag\":[true,false]}}"));

    assertArrayEquals(new long[] {1, 2}, m.tensor("a").shape());
    assertEquals(DataType.BOOL, m.tensor("flag").datatype());
  }

  @Test
  void unmodified_isEncodedAsTheOriginalBytes() throws Exception {
    Buffer body = Buffer.buffer("{\"instances\":[[1,2]]}");
    assertSame(body, TfCodec.encode(TfCodec.decodeRequest(body)));
  }

  @Test
  void reencodeAfterSetDoubles_keepsTheClientsNesting() throws Exception {
    InferenceMessage rows = TfCodec.decodeResponse(Buffer.buffer("{\"predictions\":[[0.1,0.9],[0.6,0.4]]}"));
    rows.tensors().get(0).setDoubles(new double[] {0, 1, 1, 0});
    assertEquals("{\"predictions\":[[0.0,1.0],[1.0,0.0]]}", TfCodec.encode(rows).toString());

    InferenceMessage named = TfCodec.decodeRequest(Buffer.buffer("{\"instances\":[{\"a\":1,\"b\":[2,3]},{\"a\":4,\"b\":[5,6]}]}"));
    named.tensor("b").setDoubles(new double[] {-2, -3, -5, -6});
    assertEquals(JSON.readTree("{\"instances\":[{\"a\":1.0,\"b\":[-2.0,-3.0]},{\"a\":4.0,\"b\":[-5.0,-6.0]}]}"),
        JSON.readTree(TfCodec.encode(named).getBytes()));

    InferenceMessage cols = TfCodec.decodeResponse(Buffer.buffer("{\"outputs\":{\"p\":[[0.5,0.5]]},\"extra\":1}"));
    cols.tensor("p").setDoubles(new double[] {0.25, 0.75});
    assertEquals(JSON.readTree("{\"outputs\":{\"p\":[[0.25,0.75]]},\"extra\":1}"), JSON.readTree(TfCodec.encode(cols).getBytes()));
  }

  @Test
  void decodeWithSignature_usesTheModelsTypes_andNamesAnUnnamedValueAfterItsOnlyInput() throws Exception {
    InferenceMessage m = TfCodec.decodeRequest(Buffer.buffer("{\"instances\":[[9007199254740993,-4]]}"),
        java.util.Map.of("ids", DataType.INT64));

    Tensor t = m.tensor("ids");
    assertEquals(DataType.INT64, t.datatype());
    assertEquals(9007199254740993L, java.nio.ByteBuffer.wrap(t.data()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
    assertEquals(DataType.FP32, TfCodec.decodeRequest(Buffer.buffer("{\"inputs\":{\"x\":[\"NaN\"]}}"),
        java.util.Map.of("x", DataType.FP32)).tensor("x").datatype());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"instances\":[[1,2]]}              | instances: the model has 2 inputs, so each instance must be an object",
      "{\"inputs\":[[1,2]]}                 | inputs: the model has 2 inputs, so 'inputs' must be an object",
      "{\"inputs\":{\"a\":[1],\"z\":[1]}}     | inputs.z: the model has no input 'z'",
      "{\"inputs\":{\"a\":[1.5],\"b\":[1]}}   | inputs.a[0]: expected an integer",
  })
  void decodeWithSignature_refusesValuesThatDoNotFitTheModel(String body, String message) {
    MalformedInputException e = assertThrows(MalformedInputException.class, () -> TfCodec.decodeRequest(
        Buffer.buffer(body), java.util.Map.of("a", DataType.INT32, "b", DataType.FP32)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void encodeResponse_answersRowsWithPredictionsAndColumnsWithOutputs() throws Exception {
    Tensor p = new Tensor("p", DataType.FP64, new long[] {2, 1}, doubles(0.5, 1.5), JSON.createObjectNode());
    Tensor q = new Tensor("q", DataType.FP64, new long[] {2}, doubles(3, 4), JSON.createObjectNode());
    InferenceMessage rows = TfCodec.decodeRequest(Buffer.buffer("{\"instances\":[[1],[2]]}"));
    InferenceMessage cols = TfCodec.decodeRequest(Buffer.buffer("{\"inputs\":[[1],[2]]}"));

    assertEquals("{\"predictions\":[[0.5],[1.5]]}", TfCodec.encodeResponse(rows, java.util.List.of(p)).toString());
    assertEquals("{\"predictions\":[{\"p\":[0.5],\"q\":3.0},{\"p\":[1.5],\"q\":4.0}]}",
        TfCodec.encodeResponse(rows, java.util.List.of(p, q)).toString());
    assertEquals("{\"outputs\":{\"p\":[[0.5],[1.5]],\"q\":[3.0,4.0]}}",
        TfCodec.encodeResponse(cols, java.util.List.of(p, q)).toString());
    Tensor scalar = new Tensor("s", DataType.FP64, new long[] {}, doubles(1), JSON.createObjectNode());
    assertThrows(IllegalArgumentException.class, () -> TfCodec.encodeResponse(rows, java.util.List.of(scalar)),
        "a row answer needs the batch dimension");
  }

  private static byte[] doubles(double... v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double d : v) {
      b.putDouble(d);
    }
    return b.array();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"instances\":[[1]],\"inputs\":[[1]]}     | body: exactly one of 'instances' and 'inputs'",
      "{\"signature_name\":\"x\"}                 | body: exactly one of 'instances' and 'inputs'",
      "{\"instances\":[]}                         | instances: expected a non-empty array",
      "{\"instances\":[[1,2,3],[4,5]]}             | instances: ragged nesting",
      "{\"instances\":[[1,\"a\"]]}                 | instances: element 1 is not a number",
      "{\"instances\":[{\"a\":1},{\"b\":2}]}       | instances[1]: has different input names",
      "{\"inputs\":{\"a\":[true,1]}}              | inputs.a: mixes booleans",
      "{\"inputs\":{\"s\":[{\"b64\":\"%%\"}]}}    | inputs.s: element 0 has invalid base64",
      "not json                                  | body is not valid JSON",
  })
  void malformedBodies_are422MessagesNamingTheField(String body, String message) {
    MalformedInputException e = assertThrows(MalformedInputException.class,
        () -> TfCodec.decodeRequest(Buffer.buffer(body)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }
}
