package dev.warden.bench.screening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.detectors.attack.ScoreOracle;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The attacker's view of a running Warden: OIP v2 JSON infer on {@code /v2/models/digits/infer}
 * with the demo's API key (from {@code .warden-demo/demo.env}). HTTP 403 (input_rejected) is a
 * refusal; 429 (rate limit or throttle) is waited out (Retry-After, else 100 ms) and retried up to
 * 50 times, then counts as a refusal; any other non-200 status is an error.
 */
final class HttpOracle implements ScoreOracle {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI infer;
  private final String apiKey;
  int queries;
  int rateLimited;
  int refused;
  int firstRefusal = -1;

  HttpOracle(String baseUrl, String apiKey, String model) {
    this.infer = URI.create(baseUrl.replaceAll("/+$", "") + "/v2/models/" + model + "/infer");
    this.apiKey = apiKey;
  }

  /** Reads WARDEN_URL and WARDEN_API_KEY from a demo.env file. */
  static HttpOracle fromEnvFile(Path env) throws IOException {
    Map<String, String> m = new HashMap<>();
    for (String line : Files.readAllLines(env)) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.startsWith("#")) m.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
    }
    String url = m.get("WARDEN_URL");
    String key = m.get("WARDEN_API_KEY");
    if (url == null || key == null) throw new IllegalArgumentException(env + " lacks WARDEN_URL or WARDEN_API_KEY");
    return new HttpOracle(url, key, "digits");
  }

  @Override
  public float[] query(float[] x) throws Refused {
    queries++;
    StringBuilder body = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,").append(x.length)
        .append("],\"datatype\":\"FP32\",\"data\":[");
    for (int i = 0; i < x.length; i++) body.append(i == 0 ? "" : ",").append(x[i]);
    body.append("]}]}");
    HttpRequest req = HttpRequest.newBuilder(infer).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    try {
      HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
      for (int retry = 0; resp.statusCode() == 429 && retry < 50; retry++) {
        rateLimited++;
        long waitMs = resp.headers().firstValue("Retry-After").map(v -> (long) (Double.parseDouble(v) * 1000)).orElse(100L);
        Thread.sleep(Math.min(waitMs, 5_000));
        resp = client.send(req, HttpResponse.BodyHandlers.ofString());
      }
      if (resp.statusCode() == 403 || resp.statusCode() == 429) {
        refused++;
        if (firstRefusal < 0) firstRefusal = queries;
        throw new Refused("HTTP " + resp.statusCode());
      }
      if (resp.statusCode() != 200) throw new IllegalStateException("HTTP " + resp.statusCode() + ": " + resp.body());
      JsonNode data = JSON.readTree(resp.body()).path("outputs").path(0).path("data");
      float[] p = new float[data.size()];
      for (int i = 0; i < p.length; i++) p[i] = (float) data.get(i).asDouble();
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("request to " + infer + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
