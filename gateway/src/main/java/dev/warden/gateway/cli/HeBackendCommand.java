package dev.warden.gateway.cli;

import dev.warden.gateway.he.backend.HeBackendServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "he-backend", mixinStandardHelpOptions = true,
    description = "Serve encrypted inference (CKKS) for the signed models under --models: an untrusted "
        + "compute party that only ever sees ciphertexts and public evaluation keys.")
final class HeBackendCommand implements Callable<Integer> {
  @Option(names = "--models", required = true, description = "Folder with one sub-folder per model (model.onnx, model.sig, optional he-parameters).")
  Path models;

  @Option(names = "--public-key", required = true, description = "PEM public key the models must be signed with.")
  Path publicKey;

  @Option(names = "--port", defaultValue = "8600", description = "Listen port.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Listen address.")
  String host;

  @Option(names = "--max-key-sets", defaultValue = "64", description = "Evaluation-key sets cached (least recently used evicted).")
  int maxKeySets;

  @Option(names = "--timeout-ms", defaultValue = "10000", description = "Deadline of one evaluation.")
  long timeoutMs;

  @Override
  public Integer call() throws Exception {
    HeBackendServer.Options d = HeBackendServer.Options.defaults();
    Vertx vertx = Vertx.vertx();
    HeBackendServer s = HeBackendServer.start(vertx, host, port, models, publicKey,
        new HeBackendServer.Options(d.maxCiphertextBytes(), d.maxKeySetBytes(), d.maxCachedKeyBytes(), maxKeySets,
            d.workers(), d.maxQueued(), timeoutMs)).await();
    for (HeBackendServer.ModelStatus m : s.models()) {
      System.out.println((m.loaded() ? "  loaded   " : "  REFUSED  ") + m.name()
          + (m.loaded() ? " (" + m.parameters() + ")" : ": " + m.reason()));
    }
    System.out.println("warden he-backend listening on http://" + host + ":" + s.actualPort());
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.close().await();
      vertx.close().await();
      stop.countDown();
    }, "warden-he-backend-shutdown"));
    stop.await();
    return 0;
  }
}
