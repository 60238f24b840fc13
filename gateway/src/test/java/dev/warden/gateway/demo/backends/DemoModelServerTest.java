package dev.warden.gateway.demo.backends;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs a real {@link DemoModelServer} on loopback with real ONNX models and talks HTTP to it. */
class DemoModelServerTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir static Path dir;
  private static Vertx vertx;
  private static DemoModelServer server;
  private static OrtSession direct;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path digits = TestModels.digitsLike(dir);
    Path typed = TestModels.typed(dir);
    vertx = Vertx.vertx();
    server = await(DemoModelServer.start(vertx, "127.0.0.1", 0, Map.of("digits", digits, "typed", typed), 2));
    base = "http://127.0.0.1:" + server.actualPort();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    direct = OrtEnvironment.getEnvironment().createSession(digits.toString(), options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      await(server.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
    if (direct != null) {
      direct.close();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- metadata and health

  @Test
  void modelMetadata_reportsShapesAndTypesFromTheSession() throws Exception {
    for (String path : new String[] {"/v2/models/digits", "/v2/models/digits/versions/1"}) {
      HttpResponse<byte[]> r = get(path);
      assertEquals(200, r.statusCode(), path);
      JsonNode meta = json(r);
      assertEquals("digits", meta.get("name").asText());
      assertEquals("[\"1\"]", meta.get("versions").toString());
      assertEquals("onnxruntime", meta.get("platform").asText());
      assertEquals("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,64]}", meta.get("inputs").get(0).toString());
      assertEquals("{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":[-1,10]}",
          meta.get("outputs").get(0).toString());
    }
    JsonNode typed = json(get("/v2/models/typed"));
    assertEquals("[\"FP64\",\"INT64\",\"INT32\"]", datatypes(typed.get("inputs")));
    assertEquals("[\"FP64\",\"INT64\",\"INT32\"]", datatypes(typed.get("outputs")));
  }

  private static String datatypes(JsonNode list) {
    ArrayNode out = MAPPER.createArrayNode();
    list.forEach(n -> out.add(n.get("datatype").asText()));
    return out.toString();
  }

  @Test
  void healthServerMetadataAndReadiness_answer() throws Exception {
    assertEquals("{\"live\":true}", new String(get("/v2/health/live").body(), StandardCharsets.UTF_8));
    assertEquals("{\"ready\":true}", new String(get("/v2/health/ready").body(), StandardCharsets.UTF_8));
    JsonNode meta = json(get("/v2"));
    assertEquals("warden-demo-model-server", meta.get("name").asText());
    assertTrue(meta.get("extensions").toString().contains("binary_tensor_data"));
    assertEquals(true, json(get("/v2/models/digits/ready")).get("ready").asBoolean());
    assertEquals(200, get("/v2/models/digits/versions/1/ready").statusCode());
    assertEquals("AVAILABLE", json(get("/v1/models/digits")).at("/model_version_status/0/state").asText());
  }

  @Test
  void unknownModelVersionOrPath_is404WithCode() throws Exception {
    assertError(get("/v2/models/nope"), 404, "model_not_found");
    assertError(get("/v2/models/digits/versions/7"), 404, "version_not_found");
    assertError(post("/v2/models/nope/infer", digitsJson(new float[1][64], null), Map.of()), 404, "model_not_found");
    assertError(get("/v3/x"), 404, "not_found");
    assertError(get("/v2/models/digits/infer"), 405, "method_not_allowed");
  }

  // ---------------------------------------------------------------- OIP JSON

  @Test
  void jsonInfer_equalsDirectOnnxRuntimeRun_andEchoesId() throws Exception {
    float[][] x = randomDigits(3, 1);
    ObjectNode req = digitsJson(x, "req-42");
    HttpResponse<byte[]> r = post("/v2/models/digits/infer", MAPPER.writeValueAsBytes(req), Map.of());
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode resp = json(r);
    assertEquals("req-42", resp.get("id").asText());
    assertEquals("digits", resp.get("model_name").asText());
    assertEquals("1", resp.get("model_version").asText());
    JsonNode out = resp.get("outputs").get(0);
    assertEquals("probabilities", out.get("name").asText());
    assertEquals("FP32", out.get("datatype").asText());
    assertEquals("[3,10]", out.get("shape").toString());
    float[] got = new float[30];
    for (int i = 0; i < 30; i++) {
      got[i] = out.get("data").get(i).floatValue();
    }
    assertArrayEquals(flatten(directRun(x)), got, "server output differs from a direct ONNX Runtime run");
  }

  @Test
  void jsonInfer_acceptsNestedData() throws Exception {
    float[][] x = randomDigits(2, 2);
    ObjectNode req = digitsJson(x, null);
    ArrayNode nested = MAPPER.createArrayNode();
    for (float[] row : x) {
      ArrayNode r = nested.addArray();
      for (float v : row) {
        r.add(v);
      }
    }
    ((ObjectNode) req.get("inputs").get(0)).set("data", nested);
    JsonNode resp = json(post("/v2/models/digits/infer", MAPPER.writeValueAsBytes(req), Map.of()));
    assertFalse(resp.has("id"));
    float[] got = new float[20];
    for (int i = 0; i < 20; i++) {
      got[i] = resp.at("/outputs/0/data").get(i).floatValue();
    }
    assertArrayEquals(flatten(directRun(x)), got);
  }

  @Test
  void jsonInfer_onSeveralDatatypes_computesInTheirType() throws Exception {
    String body = "{\"inputs\":["
        + "{\"name\":\"a\",\"datatype\":\"FP64\",\"shape\":[1,3],\"data\":[0.1,-2.5,1e300]},"
        + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[9007199254740993,-4,0]},"
        + "{\"name\":\"c\",\"datatype\":\"INT32\",\"shape\":[1,3],\"data\":[[2147483647,-2147483648,7]]}],"
        + "\"outputs\":[{\"name\":\"c_out\"},{\"name\":\"b2\"},{\"name\":\"a2\"}]}";
    JsonNode resp = json(post("/v2/models/typed/infer", body.getBytes(StandardCharsets.UTF_8), Map.of()));
    JsonNode outs = resp.get("outputs");
    assertEquals("c_out", outs.get(0).get("name").asText(), "outputs come in the requested order");
    assertEquals("[2147483647,-2147483648,7]", outs.get(0).get("data").toString());
    assertEquals("INT64", outs.get(1).get("datatype").asText());
    assertEquals("[18014398509481986,-8,0]", outs.get(1).get("data").toString());
    assertEquals(0.2, outs.get(2).get("data").get(0).doubleValue());
    assertEquals(-5.0, outs.get(2).get("data").get(1).doubleValue());
    assertEquals(2e300, outs.get(2).get("data").get(2).doubleValue());
  }

  @Test
  void nonFiniteFloats_travelAsTheirJsonStrings() throws Exception {
    String body = "{\"inputs\":["
        + "{\"name\":\"a\",\"datatype\":\"FP64\",\"shape\":[1,3],\"data\":[\"NaN\",\"Infinity\",\"-Infinity\"]},"
        + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[1,3],\"data\":[0,0,0]},"
        + "{\"name\":\"c\",\"datatype\":\"INT32\",\"shape\":[1,3],\"data\":[0,0,0]}],"
        + "\"outputs\":[{\"name\":\"a2\"}]}";
    JsonNode resp = json(post("/v2/models/typed/infer", body.getBytes(StandardCharsets.UTF_8), Map.of()));
    assertEquals("[\"NaN\",\"Infinity\",\"-Infinity\"]", resp.at("/outputs/0/data").toString());
  }

  @Test
  void malformedRequests_areRefusedNamingTheField() throws Exception {
    assertError(post("/v2/models/digits/infer", "{not json".getBytes(StandardCharsets.UTF_8), Map.of()), 400, "invalid_json");
    assertError(postJson("/v2/models/digits/infer", "{\"inputs\":[]}"), 422, "invalid_input", "inputs");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP64\",\"shape\":[1,64],\"data\":" + zeros(64) + "}]}"),
        422, "invalid_input", "datatype");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,63],\"data\":" + zeros(63) + "}]}"),
        422, "invalid_input", "shape");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":" + zeros(65) + "}]}"),
        422, "invalid_input", "inputs[0].data");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":" + zeros(63) + "}]}"),
        422, "invalid_input", "inputs[0].data");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,\"x\"]}]}"),
        422, "invalid_input", "inputs[0].data");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"other\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":" + zeros(64) + "}]}"),
        422, "invalid_input", "other");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":" + zeros(64)
            + "}],\"outputs\":[{\"name\":\"logits\"}]}"),
        422, "invalid_input", "logits");
    assertError(postJson("/v2/models/digits/infer",
        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],\"parameters\":{\"binary_data_size\":256}}]}"),
        400, "bad_request", "Inference-Header-Content-Length");
  }

  @Test
  void oversizedBody_is413AndTheConnectionCloses() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.actualPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST /v2/models/digits/infer HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + (DemoModelServer.MAX_BODY_BYTES + 1L)
          + "\r\n\r\n{\"inputs\":").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("\"code\":\"body_too_large\""), answer);
    }
  }

  // ---------------------------------------------------------------- OIP binary extension

  @Test
  void binaryRequestAndResponse_roundTripTheTensorBytesExactly() throws Exception {
    float[][] x = randomDigits(4, 3);
    byte[] inputBytes = littleEndian(flatten(x));
    String header = "{\"id\":\"bin-1\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[4,64],"
        + "\"parameters\":{\"binary_data_size\":" + inputBytes.length + "}}],"
        + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}}]}";
    HttpResponse<byte[]> r = post("/v2/models/digits/infer", concat(header, inputBytes),
        Map.of("Inference-Header-Content-Length", Integer.toString(header.getBytes(StandardCharsets.UTF_8).length),
            "Content-Type", "application/octet-stream"));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonNode resp = MAPPER.readTree(Arrays.copyOfRange(r.body(), 0, jsonLength));
    assertEquals("bin-1", resp.get("id").asText());
    JsonNode out = resp.get("outputs").get(0);
    assertEquals(160, out.at("/parameters/binary_data_size").asInt());
    assertFalse(out.has("data"));
    byte[] binary = Arrays.copyOfRange(r.body(), jsonLength, r.body().length);
    assertArrayEquals(littleEndian(flatten(directRun(x))), binary);
  }

  @Test
  void binaryOutput_canBeAskedGlobally_andJsonOutputStaysJsonForBinaryInput() throws Exception {
    float[][] x = randomDigits(1, 4);
    String global = "{\"parameters\":{\"binary_data_output\":true},\"inputs\":[{\"name\":\"input\","
        + "\"datatype\":\"FP32\",\"shape\":[1,64],\"data\":" + MAPPER.writeValueAsString(x[0]) + "}]}";
    HttpResponse<byte[]> r = postJson("/v2/models/digits/infer", global);
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    assertArrayEquals(littleEndian(flatten(directRun(x))), Arrays.copyOfRange(r.body(), jsonLength, r.body().length));

    byte[] inputBytes = littleEndian(x[0]);
    String header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],"
        + "\"parameters\":{\"binary_data_size\":256}}]}";
    HttpResponse<byte[]> plain = post("/v2/models/digits/infer", concat(header, inputBytes),
        Map.of("Inference-Header-Content-Length", Integer.toString(header.length())));
    assertTrue(plain.headers().firstValue("Inference-Header-Content-Length").isEmpty());
    JsonNode data = json(plain).at("/outputs/0/data");
    assertEquals(directRun(x)[0][9], data.get(9).floatValue());
  }

  @Test
  void binaryTensorsOfSeveralTypes_roundTripByteExact() throws Exception {
    ByteBuffer a = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : new double[] {0.1, -0.0, Double.MIN_VALUE, 3.5, -7.25, 1e-300}) {
      a.putDouble(d);
    }
    ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : new long[] {1L << 60, -1, 0, 42, Long.MIN_VALUE / 2, 7}) {
      b.putLong(v);
    }
    ByteBuffer c = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : new int[] {Integer.MIN_VALUE, -1, 0, 1, 0x01020304, Integer.MAX_VALUE}) {
      c.putInt(v);
    }
    String header = "{\"inputs\":["
        + "{\"name\":\"a\",\"datatype\":\"FP64\",\"shape\":[2,3],\"parameters\":{\"binary_data_size\":48}},"
        + "{\"name\":\"b\",\"datatype\":\"INT64\",\"shape\":[2,3],\"parameters\":{\"binary_data_size\":48}},"
        + "{\"name\":\"c\",\"datatype\":\"INT32\",\"shape\":[2,3],\"parameters\":{\"binary_data_size\":24}}],"
        + "\"parameters\":{\"binary_data_output\":true}}";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(header.getBytes(StandardCharsets.UTF_8));
    body.write(a.array());
    body.write(b.array());
    body.write(c.array());
    HttpResponse<byte[]> r = post("/v2/models/typed/infer", body.toByteArray(),
        Map.of("Inference-Header-Content-Length", Integer.toString(header.length())));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    int jsonLength = Integer.parseInt(r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
    JsonNode outs = MAPPER.readTree(Arrays.copyOfRange(r.body(), 0, jsonLength)).get("outputs");
    assertEquals(3, outs.size());
    ByteBuffer rest = ByteBuffer.wrap(r.body(), jsonLength, r.body().length - jsonLength).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer a2 = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer b2 = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
    a.flip();
    b.flip();
    while (a.hasRemaining()) {
      double d = a.getDouble();
      a2.putDouble(d + d);
      long v = b.getLong();
      b2.putLong(v + v);
    }
    byte[] got = new byte[48];
    rest.get(got);
    assertArrayEquals(a2.array(), got, "a2");
    rest.get(got);
    assertArrayEquals(b2.array(), got, "b2");
    byte[] gotC = new byte[24];
    rest.get(gotC);
    assertArrayEquals(c.array(), gotC, "c_out returns the INT32 input bytes unchanged");
    assertFalse(rest.hasRemaining());
    assertEquals("[48,48,24]", "[" + outs.get(0).at("/parameters/binary_data_size").asInt() + ","
        + outs.get(1).at("/parameters/binary_data_size").asInt() + ","
        + outs.get(2).at("/parameters/binary_data_size").asInt() + "]");
  }

  @Test
  void binaryFramingErrors_areRefused() throws Exception {
    String header = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,64],"
        + "\"parameters\":{\"binary_data_size\":256}}]}";
    byte[] tooLong = concat(header, new byte[300]);
    assertError(post("/v2/models/digits/infer", tooLong,
        Map.of("Inference-Header-Content-Length", Integer.toString(header.length()))), 400, "bad_request", "44 bytes");
    assertError(post("/v2/models/digits/infer", concat(header, new byte[256]),
        Map.of("Inference-Header-Content-Length", "99999")), 400, "bad_request", "Inference-Header-Content-Length");
    String wrongSize = header.replace("256", "128");
    assertError(post("/v2/models/digits/infer", concat(wrongSize, new byte[128]),
        Map.of("Inference-Header-Content-Length", Integer.toString(wrongSize.length()))), 422, "invalid_input",
        "binary_data_size");
  }

  // ---------------------------------------------------------------- TF-Serving

  @Test
  void tfPredict_rowFormat_givesOnePredictionPerInstance() throws Exception {
    float[][] x = randomDigits(3, 5);
    String body = "{\"instances\":" + MAPPER.writeValueAsString(x) + "}";
    for (String path : new String[] {"/v1/models/digits:predict", "/v1/models/digits/versions/1:predict"}) {
      HttpResponse<byte[]> r = postJson(path, body);
      assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
      JsonNode predictions = json(r).get("predictions");
      float[][] want = directRun(x);
      assertEquals(3, predictions.size());
      for (int i = 0; i < 3; i++) {
        assertEquals(10, predictions.get(i).size());
        for (int j = 0; j < 10; j++) {
          assertEquals(want[i][j], predictions.get(i).get(j).floatValue());
        }
      }
    }
    String named = "{\"instances\":[{\"input\":" + MAPPER.writeValueAsString(x[0]) + "}]}";
    assertEquals(directRun(new float[][] {x[0]})[0][3], json(postJson("/v1/models/digits:predict", named))
        .at("/predictions/0/3").floatValue());
  }

  @Test
  void tfPredict_columnarFormat_givesOutputs() throws Exception {
    float[][] x = randomDigits(2, 6);
    JsonNode outputs = json(postJson("/v1/models/digits:predict", "{\"inputs\":" + MAPPER.writeValueAsString(x) + "}"))
        .get("outputs");
    float[][] want = directRun(x);
    assertEquals(2, outputs.size());
    assertEquals(want[1][7], outputs.get(1).get(7).floatValue());

    JsonNode multi = json(postJson("/v1/models/typed:predict",
        "{\"inputs\":{\"a\":[[1.5,2,3]],\"b\":[[1,2,3]],\"c\":[[4,5,6]]}}")).get("outputs");
    assertEquals("[[3.0,4.0,6.0]]", multi.get("a2").toString());
    assertEquals("[[2,4,6]]", multi.get("b2").toString());
    assertEquals("[[4,5,6]]", multi.get("c_out").toString());

    JsonNode rows = json(postJson("/v1/models/typed:predict",
        "{\"instances\":[{\"a\":[1,1,1],\"b\":[1,1,1],\"c\":[1,2,3]},{\"a\":[0,0,0.5],\"b\":[2,2,2],\"c\":[9,9,9]}]}"))
        .get("predictions");
    assertEquals("{\"a2\":[0.0,0.0,1.0],\"b2\":[4,4,4],\"c_out\":[9,9,9]}", rows.get(1).toString());
  }

  @Test
  void tfPredict_refusesBadBodies() throws Exception {
    assertError(postJson("/v1/models/digits:predict", "{}"), 422, "invalid_input", "instances");
    assertError(postJson("/v1/models/digits:predict", "{\"instances\":[[1,2],[1]]}"), 422, "invalid_input",
        "rectangular");
    assertError(postJson("/v1/models/digits:predict", "{\"instances\":[[1,2]]}"), 422, "invalid_input", "shape");
    assertError(postJson("/v1/models/typed:predict", "{\"instances\":[[1,2,3]]}"), 422, "invalid_input", "3 inputs");
  }

  // ---------------------------------------------------------------- helpers

  private static float[][] directRun(float[][] x) throws Exception {
    try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(),
            FloatBuffer.wrap(flatten(x)), new long[] {x.length, 64});
        OrtSession.Result r = direct.run(Map.of("input", t))) {
      return (float[][]) r.get(0).getValue();
    }
  }

  private static float[][] randomDigits(int rows, long seed) {
    Random rnd = new Random(seed);
    float[][] x = new float[rows][64];
    for (float[] row : x) {
      for (int i = 0; i < 64; i++) {
        row[i] = rnd.nextInt(17);
      }
    }
    return x;
  }

  private static ObjectNode digitsJson(float[][] x, String id) {
    ObjectNode req = MAPPER.createObjectNode();
    if (id != null) {
      req.put("id", id);
    }
    ObjectNode in = req.putArray("inputs").addObject();
    in.put("name", "input").put("datatype", "FP32");
    in.putArray("shape").add(x.length).add(64);
    ArrayNode data = in.putArray("data");
    for (float v : flatten(x)) {
      data.add(v);
    }
    return req;
  }

  static float[] flatten(float[][] x) {
    float[] flat = new float[x.length * x[0].length];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, flat, i * x[0].length, x[0].length);
    }
    return flat;
  }

  static byte[] littleEndian(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private static byte[] concat(String json, byte[] binary) {
    byte[] head = json.getBytes(StandardCharsets.UTF_8);
    byte[] all = Arrays.copyOf(head, head.length + binary.length);
    System.arraycopy(binary, 0, all, head.length, binary.length);
    return all;
  }

  private static String zeros(int n) {
    float[] z = new float[n];
    try {
      return MAPPER.writeValueAsString(z);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> postJson(String path, String body) throws Exception {
    return post(path, body.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
  }

  private static HttpResponse<byte[]> post(String path, Object body, Map<String, String> headers) throws Exception {
    byte[] bytes = body instanceof byte[] b ? b : MAPPER.writeValueAsBytes(body);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
    return MAPPER.readTree(r.body());
  }

  private static void assertError(HttpResponse<byte[]> r, int status, String code, String... mentions)
      throws Exception {
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertEquals(status, r.statusCode(), text);
    JsonNode body = MAPPER.readTree(r.body());
    assertEquals(code, body.get("code").asText(), text);
    for (String m : mentions) {
      assertTrue(body.get("error").asText().contains(m), "error should mention '" + m + "': " + text);
    }
  }
}
