package dev.warden.gateway.cli;

import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.policies.PolicyException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the gateway with a policy file or directory (watched and hot-reloaded).")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--policy", required = true, defaultValue = "${env:WARDEN_POLICY}",
      description = "Policy file, or a directory holding one (e.g. a mounted ConfigMap). Env: WARDEN_POLICY.")
  Path policy;

  @Option(names = "--host", defaultValue = "${env:WARDEN_HOST:-0.0.0.0}", description = "Data-plane address.")
  String host;

  @Option(names = "--port", defaultValue = "${env:WARDEN_PORT:-8080}", description = "Data-plane port.")
  int port;

  @Option(names = "--admin-host", defaultValue = "${env:WARDEN_ADMIN_HOST:-0.0.0.0}", description = "Admin address.")
  String adminHost;

  @Option(names = "--admin-port", defaultValue = "${env:WARDEN_ADMIN_PORT:-9090}",
      description = "Admin port (/livez, /readyz, /metrics, /admin/*).")
  int adminPort;

  @Option(names = "--tls-cert", defaultValue = "${env:WARDEN_TLS_CERT}", description = "PEM certificate chain: serve TLS.")
  Path tlsCert;

  @Option(names = "--tls-key", defaultValue = "${env:WARDEN_TLS_KEY}", description = "PEM private key for --tls-cert.")
  Path tlsKey;

  @Option(names = "--client-ca", defaultValue = "${env:WARDEN_CLIENT_CA}",
      description = "PEM CA for client certificates (mTLS tenants).")
  Path clientCa;

  @Option(names = "--require-client-cert", description = "Refuse TLS clients without a certificate.")
  boolean requireClientCert;

  @Option(names = "--event-loops", defaultValue = "0", description = "Event loops (0 = one per core).")
  int eventLoops;

  @Override
  public Integer call() throws Exception {
    if ((tlsCert == null) != (tlsKey == null)) {
      System.err.println("error: --tls-cert and --tls-key go together");
      return 2;
    }
    if (clientCa != null && tlsCert == null) {
      System.err.println("error: --client-ca needs --tls-cert/--tls-key (mTLS is TLS)");
      return 2;
    }
    Gateway.Builder b = StandardCapabilities.install(Gateway.builder())
        .policy(policy).listen(host, port).admin(adminHost, adminPort).eventLoops(eventLoops);
    if (tlsCert != null) {
      b.tls(tlsCert, tlsKey);
    }
    if (clientCa != null) {
      b.clientCa(clientCa, requireClientCert);
    }
    Gateway g = b.build();
    try {
      g.start().await();
    } catch (Exception e) {
      g.close();
      Throwable c = e instanceof PolicyException ? e : e.getCause() instanceof PolicyException ? e.getCause() : e;
      System.err.println(c instanceof PolicyException ? "error: invalid policy\n" + c.getMessage() : "error: " + c);
      return 1;
    }
    System.err.println("warden: data plane on " + host + ":" + g.port() + ", admin on " + adminHost + ":"
        + g.adminPort() + ", policy " + policy);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      g.close();
      stop.countDown();
    }, "warden-shutdown"));
    stop.await();
    return 0;
  }
}
