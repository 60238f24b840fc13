package dev.warden.gateway.demo.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs a real {@link DemoChatServer} on loopback and talks HTTP/SSE to it. */
class DemoChatServerTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final long DELAY_MS = 60;

  private static Vertx vertx;
  private static DemoChatServer server;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = await(DemoChatServer.start(vertx, "127.0.0.1", 0, Duration.ofMillis(DELAY_MS)));
    base = "http://127.0.0.1:" + server.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      await(server.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void reply_isALabelledTemplateOfTheLastUserMessage() {
    assertEquals("[demo-chat test double] You said: \"hello there\" (2 words, 11 characters).",
        DemoChatServer.replyTo("hello there"));
    assertEquals("[demo-chat test double] You said: \"a b\" (2 words, 7 characters).",
        DemoChatServer.replyTo("  a\n b "));
    assertEquals("[demo-chat test double] No user message was given.", DemoChatServer.replyTo(null));
    String longText = "x".repeat(200);
    assertTrue(DemoChatServer.replyTo(longText).contains("\"" + "x".repeat(120) + "...\" (1 word, 200 characters)"));
  }

  @Test
  void nonStreaming_answersTheTemplateWithUsage() throws Exception {
    String body = "{\"model\":\"demo-chat\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\"first question\"},{\"role\":\"assistant\",\"content\":\"ok\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is 2+2?\"}]}]}";
    HttpResponse<String> r = post(body);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode resp = MAPPER.readTree(r.body());
    assertEquals("chat.completion", resp.get("object").asText());
    assertEquals("demo-chat", resp.get("model").asText());
    String content = resp.at("/choices/0/message/content").asText();
    assertEquals(DemoChatServer.replyTo("What is 2+2?"), content);
    assertEquals("assistant", resp.at("/choices/0/message/role").asText());
    assertEquals("stop", resp.at("/choices/0/finish_reason").asText());
    int completion = content.split(" ").length;
    assertEquals(2 + 2 + 1 + 3, resp.at("/usage/prompt_tokens").asInt());
    assertEquals(completion, resp.at("/usage/completion_tokens").asInt());
    assertEquals(8 + completion, resp.at("/usage/total_tokens").asInt());

    JsonNode again = MAPPER.readTree(post(body).body());
    assertEquals(content, again.at("/choices/0/message/content").asText(), "deterministic");
    assertEquals(resp.get("id"), again.get("id"));
    assertNotEquals(resp.get("id"), MAPPER.readTree(post(body.replace("2+2", "3+3")).body()).get("id"));
  }

  @Test
  void streaming_sendsChunksOneByOne_usageThenDoneLast() throws Exception {
    String body = "{\"model\":\"demo-chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"stream me a reply please\"}]}";
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<InputStream> r = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    List<String> events = new ArrayList<>();
    List<Long> arrivals = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
          arrivals.add(System.nanoTime());
        } else {
          assertEquals("", line, "only data lines and blank separators");
        }
      }
    }
    String expected = DemoChatServer.replyTo("stream me a reply please");
    int pieces = expected.split(" ").length;
    // role chunk + one per word + finish chunk + usage chunk + [DONE]
    assertEquals(pieces + 4, events.size(), events.toString());
    assertEquals("[DONE]", events.get(events.size() - 1));

    JsonNode first = MAPPER.readTree(events.get(0));
    assertEquals("assistant", first.at("/choices/0/delta/role").asText());
    assertEquals("chat.completion.chunk", first.get("object").asText());
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= pieces; i++) {
      JsonNode c = MAPPER.readTree(events.get(i));
      text.append(c.at("/choices/0/delta/content").asText());
      assertTrue(c.at("/choices/0/finish_reason").isNull());
      assertTrue(c.get("usage").isNull(), "usage is null on content chunks when include_usage is set");
    }
    assertEquals(expected, text.toString());
    JsonNode finish = MAPPER.readTree(events.get(pieces + 1));
    assertEquals("stop", finish.at("/choices/0/finish_reason").asText());
    JsonNode usage = MAPPER.readTree(events.get(pieces + 2));
    assertEquals(0, usage.get("choices").size());
    assertEquals(5, usage.at("/usage/prompt_tokens").asInt());
    assertEquals(pieces, usage.at("/usage/completion_tokens").asInt());

    // The server waits DELAY_MS between events, so they reach the client spread out, not as one buffer. A
    // quarter of the paced time: a client stalled for up to three quarters of it (a loaded CI machine) still
    // passes; a buffered stream arrives within a few ms and fails.
    long spreadMs = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
    assertTrue(spreadMs >= DELAY_MS * (events.size() - 1) / 4,
        "events arrived within " + spreadMs + " ms: the stream was buffered");
  }

  @Test
  void streaming_withoutIncludeUsage_hasNoUsageChunk_andMaxTokensCuts() throws Exception {
    String body = "{\"model\":\"demo-chat\",\"stream\":true,\"max_tokens\":3,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"one two three four\"}]}";
    List<String> events = new ArrayList<>();
    for (String line : post(body).body().split("\n")) {
      if (line.startsWith("data: ")) {
        events.add(line.substring(6));
      }
    }
    assertEquals(3 + 3, events.size(), events.toString());
    assertEquals("[DONE]", events.get(5));
    JsonNode finish = MAPPER.readTree(events.get(4));
    assertEquals("length", finish.at("/choices/0/finish_reason").asText());
    assertTrue(!finish.has("usage"));
    assertEquals(" test", MAPPER.readTree(events.get(2)).at("/choices/0/delta/content").asText());
  }

  @Test
  void models_listOnlyDemoChat_andOtherModelsAre404() throws Exception {
    HttpResponse<String> list = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode data = MAPPER.readTree(list.body()).get("data");
    assertEquals(1, data.size());
    assertEquals("demo-chat", data.get(0).get("id").asText());

    HttpResponse<String> r = post("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertEquals(404, r.statusCode());
    assertEquals("model_not_found", MAPPER.readTree(r.body()).at("/error/code").asText());
    HttpResponse<String> bad = post("{\"model\":\"demo-chat\",\"messages\":[]}");
    assertEquals(400, bad.statusCode());
    assertEquals("messages", MAPPER.readTree(bad.body()).at("/error/param").asText());
    assertEquals(400, post("{oops").statusCode());
  }

  private static HttpResponse<String> post(String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
