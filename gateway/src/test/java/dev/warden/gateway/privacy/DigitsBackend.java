package dev.warden.gateway.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.demo.backends.DemoModelServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real backend for the privacy and screening integration tests: the demo digits MLP
 * ({@link Recipes#digitsMlp}, trained once per JVM) exported to ONNX and served by
 * {@link DemoModelServer} on loopback, plus helpers to build OIP and TF requests and read answers.
 */
public final class DigitsBackend implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static Dataset.Split split;
  private static byte[] onnx;

  private final Vertx vertx;
  private final DemoModelServer server;

  private DigitsBackend(Vertx vertx, DemoModelServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** The standard digits split (train / held out). */
  public static synchronized Dataset.Split split() {
    if (split == null) {
      split = Recipes.digitsSplit();
    }
    return split;
  }

  /** The demo digits model as ONNX bytes (input {@code input} FP32 [n,64], output {@code probabilities}). */
  public static synchronized byte[] onnx() {
    if (onnx == null) {
      onnx = Recipes.digitsMlp(split().train()).toOnnx("input", "probabilities");
    }
    return onnx;
  }

  /** Serves the digits model under each of {@code names} on a free loopback port. */
  public static DigitsBackend start(Path dir, String... names) throws Exception {
    Path file = dir.resolve("digits.onnx");
    try {
      Files.write(file, onnx());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Path> models = new LinkedHashMap<>();
    for (String n : names) {
      models.put(n, file);
    }
    Vertx vertx = Vertx.vertx();
    try {
      DemoModelServer s = DemoModelServer.start(vertx, "127.0.0.1", 0, models)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new DigitsBackend(vertx, s);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** A held-out digit (pixels 0..16). */
  public static float[] testRow(int i) {
    return split().test().row(i);
  }

  /** OIP JSON inference request with one FP32 [rows, 64] input named {@code input}. */
  public static String oipRequest(float[]... rows) {
    StringBuilder sb = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[")
        .append(rows.length).append(',').append(rows[0].length).append("],\"data\":[");
    appendRows(sb, rows);
    return sb.append("]}]}").toString();
  }

  /** TF-Serving predict request in the row ("instances") form. */
  public static String tfRequest(float[]... rows) {
    StringBuilder sb = new StringBuilder("{\"instances\":[");
    for (int r = 0; r < rows.length; r++) {
      sb.append(r == 0 ? "[" : ",[");
      appendRows(sb, new float[][] {rows[r]});
      sb.append(']');
    }
    return sb.append("]}").toString();
  }

  private static void appendRows(StringBuilder sb, float[][] rows) {
    boolean first = true;
    for (float[] row : rows) {
      for (float v : row) {
        sb.append(first ? "" : ",").append(String.format(Locale.ROOT, "%s", v));
        first = false;
      }
    }
  }

  /** The {@code probabilities} output of an OIP JSON answer, one array per row. */
  public static double[][] oipProbabilities(String body) throws IOException {
    JsonNode root = JSON.readTree(body);
    for (JsonNode o : root.get("outputs")) {
      if (o.get("name").asText().equals("probabilities")) {
        int rows = o.get("shape").get(0).asInt();
        int width = o.get("shape").get(1).asInt();
        double[][] out = new double[rows][width];
        JsonNode data = o.get("data");
        for (int i = 0; i < rows * width; i++) {
          out[i / width][i % width] = data.get(i).asDouble();
        }
        return out;
      }
    }
    throw new AssertionError("no 'probabilities' output in " + body);
  }

  /** The predictions of a TF-Serving answer, one array per row. */
  public static double[][] tfPredictions(String body) throws IOException {
    JsonNode p = JSON.readTree(body).get("predictions");
    double[][] out = new double[p.size()][];
    for (int r = 0; r < p.size(); r++) {
      out[r] = new double[p.get(r).size()];
      for (int c = 0; c < out[r].length; c++) {
        out[r][c] = p.get(r).get(c).asDouble();
      }
    }
    return out;
  }

  /** Null when {@code v} is a probability vector (entries in [0,1], sum 1 within float rounding), else why not. */
  public static String notAProbabilityVector(double[] v) {
    double sum = 0;
    for (double x : v) {
      if (!(x >= 0 && x <= 1)) {
        return "entry " + x + " outside [0,1] in " + java.util.Arrays.toString(v);
      }
      sum += x;
    }
    return Math.abs(sum - 1) < 1e-4 ? null : "sum " + sum + " != 1 in " + java.util.Arrays.toString(v);
  }

  @Override
  public void close() throws Exception {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
