package dev.warden.bench.proxy;

import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.demo.backends.DemoChatServer;
import dev.warden.gateway.demo.backends.DemoModelServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The backend of the proxy benchmark ({@code bench/proxy.sh}): the demo model server with the demo's digits
 * MLP (trained here with the project's own recipe, {@link Recipes#digitsMlp}, and exported to ONNX), and
 * optionally the demo chat backend. It is the same server whichever proxy sits in front of it.
 *
 * <pre>
 * java -cp gateway/target/warden.jar:CLASSES dev.warden.bench.proxy.BenchBackend \
 *     --host 127.0.0.1 --port 18500 [--chat-port 18501] [--model FILE.onnx] [--work DIR]
 * </pre>
 * Prints {@code READY port=N} once it accepts connections and runs until killed. Event loops and listeners
 * follow the cores the process may use ({@code taskset} narrows them).
 */
public final class BenchBackend {
  private BenchBackend() {}

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 18500;
    int chatPort = -1;
    Path model = null;
    Path work = Path.of(System.getProperty("java.io.tmpdir"), "warden-bench-proxy");
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--host" -> host = require(args[i], value);
        case "--port" -> port = Integer.parseInt(require(args[i], value));
        case "--chat-port" -> chatPort = Integer.parseInt(require(args[i], value));
        case "--model" -> model = Path.of(require(args[i], value));
        case "--work" -> work = Path.of(require(args[i], value));
        default -> {
          System.err.println("unknown option " + args[i]
              + "; usage: --host H --port P [--chat-port P] [--model FILE.onnx] [--work DIR]");
          System.exit(2);
        }
      }
      i++;
    }
    if (model == null) {
      Files.createDirectories(work);
      model = work.resolve("digits-mlp.onnx");
      if (!Files.exists(model)) {
        long t0 = System.nanoTime();
        DenseNetwork net = Recipes.digitsMlp(Recipes.digitsSplit().train());
        Files.write(model, net.toOnnx("input", "probabilities"));
        System.out.printf("trained digits MLP in %d ms -> %s%n", (System.nanoTime() - t0) / 1_000_000, model);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(cores))
        .build();
    DemoModelServer server = DemoModelServer.start(vertx, host, port, Map.of("digits", model), cores)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (chatPort >= 0) {
      DemoChatServer.start(vertx, host, chatPort, Duration.ZERO)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    System.out.println("READY port=" + server.actualPort() + " listeners=" + cores + " nativeTransport="
        + vertx.isNativeTransportEnabled());
    System.out.flush();
    CountDownLatch forever = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
    forever.await();
  }

  private static String require(String option, String value) {
    if (value == null) {
      System.err.println(option + " needs a value");
      System.exit(2);
    }
    return value;
  }
}
