package dev.warden.gateway.it;

import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.auth.ApiKeyIndex;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared set-up for the loopback integration tests: a real gateway (with every standard capability
 * installed, so the production pipeline runs) on free ports, API-key hash files, and small HTTP helpers
 * over {@link java.net.http.HttpClient}.
 */
public final class TestGateways {
  public static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5))
      .version(HttpClient.Version.HTTP_1_1)
      .build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestGateways() {}

  /** A fresh random API key. */
  public static String newApiKey() {
    byte[] raw = new byte[18];
    RANDOM.nextBytes(raw);
    return "wdn_test_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** Writes the SHA-256 hashes of {@code keys} to {@code dir/name} and returns its absolute path. */
  public static Path keyHashes(Path dir, String name, String... keys) throws IOException {
    StringBuilder sb = new StringBuilder("# test key hashes\n");
    for (String k : keys) {
      sb.append(ApiKeyIndex.hashHex(k)).append('\n');
    }
    Path f = dir.resolve(name).toAbsolutePath();
    Files.writeString(f, sb.toString());
    return f;
  }

  /** Writes a policy file, replacing each {@code @KEY@} token with its value. */
  public static Path writePolicy(Path file, String template, Map<String, ?> tokens) throws IOException {
    String text = template;
    for (var e : tokens.entrySet()) {
      text = text.replace("@" + e.getKey() + "@", String.valueOf(e.getValue()));
    }
    if (text.contains("@") && Pattern.compile("@[A-Z_]+@").matcher(text).find()) {
      throw new IllegalArgumentException("unreplaced token in policy:\n" + text);
    }
    Files.writeString(file, text);
    return file;
  }

  /** Starts a gateway on 127.0.0.1 with free ports, two event loops, no policy watching. */
  public static Gateway start(Path policy) throws Exception {
    return start(policy, b -> { });
  }

  public static Gateway start(Path policy, Consumer<Gateway.Builder> customize) throws Exception {
    Gateway.Builder b = StandardCapabilities.install(Gateway.builder())
        .policy(policy)
        .listen("127.0.0.1", 0)
        .admin("127.0.0.1", 0)
        .eventLoops(2)
        .watchPolicy(false);
    customize.accept(b);
    Gateway g = b.build();
    try {
      g.start().toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      g.close();
      throw e;
    }
    return g;
  }

  public static String url(Gateway g) {
    return "http://127.0.0.1:" + g.port();
  }

  public static String adminUrl(Gateway g) {
    return "http://127.0.0.1:" + g.adminPort();
  }

  public static HttpRequest.Builder request(String url, String apiKey) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (apiKey != null) {
      b.header("Authorization", "Bearer " + apiKey);
    }
    return b;
  }

  public static HttpResponse<String> postJson(String url, String apiKey, String json) throws Exception {
    return HTTP.send(request(url, apiKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public static HttpResponse<String> get(String url, String apiKey) throws Exception {
    return HTTP.send(request(url, apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of a Prometheus sample (sum over label sets matching {@code labelFilter}), 0 if absent. */
  public static double metric(Gateway g, String name, String labelFilter) throws Exception {
    String text = get(adminUrl(g) + "/metrics", null).body();
    double sum = 0;
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})?\\s+([0-9.eE+-]+)$").matcher(text);
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      if (labelFilter == null || labels.contains(labelFilter)) {
        sum += Double.parseDouble(m.group(2));
      }
    }
    return sum;
  }

  /**
   * {@link #metric}, polled until it equals {@code expected} or 10 s pass; returns the last value read. For
   * counters the gateway updates when an exchange finishes, which may be just after the client saw the last byte.
   */
  public static double awaitMetric(Gateway g, String name, String labelFilter, double expected) throws Exception {
    long until = System.nanoTime() + 10_000_000_000L;
    double v = metric(g, name, labelFilter);
    while (v != expected && System.nanoTime() < until) {
      Thread.sleep(20);
      v = metric(g, name, labelFilter);
    }
    return v;
  }

  public static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
