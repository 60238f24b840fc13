package dev.warden.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.demo.backends.DemoChatServer;
import io.vertx.core.Vertx;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openai} npm client, unchanged, against the gateway (backend: the demo chat
 * server): non-streaming with usage, streaming via SSE, and a 401 surfaced as the SDK's error.
 *
 * <p>Needs {@code node} (18+) and {@code npm} on the PATH. Locally the test is skipped without them;
 * with {@code CI=true} it fails instead. The package is installed once per build folder
 * ({@code java.io.tmpdir}, which surefire points into the target folder), so a clean build installs it fresh.
 */
class OpenAiNodeClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: openai-client}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@KEYS@"}
        backends:
          chat: {url: "http://127.0.0.1:@PORT@", protocol: openai, timeoutMs: 30000}
        routes:
          - {name: chat, match: {protocol: openai, model: demo-chat}, tenants: [acme], backend: chat}
      """;
  private static final String SCRIPT = """
      import OpenAI from 'openai';

      const client = new OpenAI({ baseURL: process.env.WARDEN_URL + '/v1', apiKey: process.env.WARDEN_API_KEY, maxRetries: 0 });
      const messages = [{ role: 'user', content: 'hello from node' }];

      const r = await client.chat.completions.create({ model: 'demo-chat', messages });
      console.log(JSON.stringify({ kind: 'nonstream', content: r.choices[0].message.content, usage: r.usage }));

      const stream = await client.chat.completions.create({
        model: 'demo-chat', messages, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let chunks = 0;
      let usage = null;
      for await (const chunk of stream) {
        chunks++;
        const piece = chunk.choices[0]?.delta?.content;
        if (piece) text += piece;
        if (chunk.usage) usage = chunk.usage;
      }
      console.log(JSON.stringify({ kind: 'stream', content: text, chunks, usage }));

      try {
        const bad = new OpenAI({ baseURL: process.env.WARDEN_URL + '/v1', apiKey: 'not-a-key', maxRetries: 0 });
        await bad.chat.completions.create({ model: 'demo-chat', messages });
        console.log(JSON.stringify({ kind: 'error', status: 0 }));
      } catch (e) {
        console.log(JSON.stringify({ kind: 'error', status: e.status, name: e.constructor.name }));
      }
      """;

  @TempDir static Path dir;
  static Vertx vertx;
  static DemoChatServer chat;
  static Gateway gateway;
  static String key;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    chat = DemoChatServer.start(vertx, "127.0.0.1", 0, Duration.ofMillis(5))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    key = TestGateways.newApiKey();
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "KEYS", TestGateways.keyHashes(dir, "keys.sha256", key), "PORT", chat.actualPort()));
    gateway = TestGateways.start(policy);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (chat != null) {
      chat.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void officialOpenAiNodeClient_worksUnchanged_streamAndNonStream() throws Exception {
    String node = onPath("node");
    String npm = onPath("npm");
    requireTool(node != null && npm != null, "node and npm are not on the PATH: install Node.js 18+ and npm "
        + "(Debian: apt-get install -y nodejs npm)");
    Path project = Path.of(System.getProperty("java.io.tmpdir")).resolve("warden-openai-node-client");
    Files.createDirectories(project);
    if (!Files.isRegularFile(project.resolve("node_modules/openai/package.json"))) {
      Files.writeString(project.resolve("package.json"), "{\"name\":\"warden-openai-client-test\",\"private\":true}\n");
      Result install = run(project, Duration.ofSeconds(300), List.of(npm, "install", "--no-audit", "--no-fund",
          "--prefer-offline", "openai@4"), Map.of());
      requireTool(install.exit() == 0, "npm install openai@4 failed (network?):\n" + install.output());
    }
    Path script = project.resolve("chat-" + System.nanoTime() + ".mjs");
    Files.writeString(script, SCRIPT);

    Result r = run(project, Duration.ofSeconds(120), List.of(node, script.toString()),
        Map.of("WARDEN_URL", TestGateways.url(gateway), "WARDEN_API_KEY", key));

    assertEquals(0, r.exit(), r.output());
    Map<String, JsonNode> byKind = new HashMap<>();
    for (String line : r.output().split("\n")) {
      if (line.startsWith("{\"kind\"")) {
        JsonNode n = JSON.readTree(line);
        byKind.put(n.get("kind").asText(), n);
      }
    }
    String expected = DemoChatServer.replyTo("hello from node");
    JsonNode non = byKind.get("nonstream");
    JsonNode stream = byKind.get("stream");
    JsonNode error = byKind.get("error");
    assertTrue(non != null && stream != null && error != null, r.output());
    assertEquals(expected, non.get("content").asText());
    assertTrue(non.at("/usage/completion_tokens").asInt() > 0, non.toString());
    assertEquals(expected, stream.get("content").asText(), "the streamed pieces join to the full reply");
    assertTrue(stream.get("chunks").asInt() >= 3, "streamed in several chunks: " + stream);
    assertTrue(stream.at("/usage/total_tokens").asInt() > 0, "usage chunk relayed: " + stream);
    assertEquals(401, error.get("status").asInt(), error.toString());
    assertEquals("AuthenticationError", error.get("name").asText());
  }

  private static void requireTool(boolean ok, String message) {
    if (ok) {
      return;
    }
    if (CI) {
      fail(message + " (CI=true: this test must not be skipped)");
    }
    Assumptions.assumeTrue(false, message);
  }

  private static String onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  record Result(int exit, String output) {}

  private static Result run(Path cwd, Duration timeout, List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(cwd, "out", ".log");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(command + " did not finish in " + timeout + ":\n" + Files.readString(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }
}
