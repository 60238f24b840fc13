package dev.warden.gateway.cli;

import dev.warden.gateway.he.backend.CallerAuth;
import dev.warden.gateway.he.backend.TokenFile;
import dev.warden.gateway.he.backend.HeBackendServer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

  @Option(names = "--token-file", description = "File with the bearer token callers (the gateway: the policy "
      + "backend's tokenFile) must present; others get 401.")
  Path tokenFile;

  @Option(names = "--tls-cert", description = "PEM certificate of this listener (serve HTTPS).")
  Path tlsCert;

  @Option(names = "--tls-key", description = "PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(names = "--client-ca", description = "PEM CA that callers' client certificates must chain to (mTLS; needs --tls-cert).")
  Path clientCa;

  @Option(names = "--allow-unauthenticated", description = "Serve any caller (no --token-file or --client-ca): only "
      + "for experiments on loopback.")
  boolean allowUnauthenticated;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CallerAuth auth = auth();
    HeBackendServer.Options d = HeBackendServer.Options.defaults();
    Vertx vertx = Vertx.vertx();
    HeBackendServer s = HeBackendServer.start(vertx, host, port, models, publicKey,
        new HeBackendServer.Options(d.maxCiphertextBytes(), d.maxKeySetBytes(), d.maxCachedKeyBytes(), maxKeySets,
            d.workers(), d.maxQueued(), timeoutMs), auth).await();
    for (HeBackendServer.ModelStatus m : s.models()) {
      System.out.println((m.loaded() ? "  loaded   " : "  REFUSED  ") + m.name()
          + (m.loaded() ? " (" + m.parameters() + ")" : ": " + m.reason()));
    }
    System.out.println("warden he-backend listening on " + (auth.tls() != null ? "https" : "http") + "://" + host + ":"
        + s.actualPort() + (auth.required() ? "" : " WITHOUT caller authentication"));
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      s.close().await();
      vertx.close().await();
      stop.countDown();
    }, "warden-he-backend-shutdown"));
    stop.await();
    return 0;
  }

  /** Caller authentication from the flags; closed by default (a token or client CA is required). */
  private CallerAuth auth() throws java.io.IOException {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    if (clientCa != null && tlsCert == null) {
      throw new ParameterException(spec.commandLine(), "--client-ca needs --tls-cert and --tls-key");
    }
    if (tokenFile == null && clientCa == null && !allowUnauthenticated) {
      throw new ParameterException(spec.commandLine(), "the HE backend must authenticate its callers: give "
          + "--token-file and/or --client-ca (or --allow-unauthenticated for a loopback experiment)");
    }
    CallerAuth a = tokenFile == null ? CallerAuth.none() : CallerAuth.tokenFile(TokenFile.open(tokenFile));
    return tlsCert == null ? a : a.withTls(new CallerAuth.Tls(tlsCert, tlsKey, Optional.ofNullable(clientCa)));
  }
}
