package dev.warden.gateway.demo.backends;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One or more HTTP servers sharing one port, each on its own event loop (Vert.x binds the socket once and
 * balances connections between the servers of one address).
 *
 * <p>Port 0 is passed to Vert.x as a negative port: Vert.x then binds one random port and shares it between
 * all servers given the same negative number (with port 0 each server would get its own random port).
 */
final class Listeners {
  private final Vertx vertx;
  private final int port;
  private final String deployment;

  private Listeners(Vertx vertx, int port, String deployment) {
    this.vertx = vertx;
    this.port = port;
    this.deployment = deployment;
  }

  static Future<Listeners> start(Vertx vertx, String host, int port, int instances,
      Handler<HttpServerRequest> handler) {
    if (instances < 1) {
      throw new IllegalArgumentException("instances must be at least 1, got " + instances);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    int bindPort = port == 0 ? -ThreadLocalRandom.current().nextInt(1_000_000, Integer.MAX_VALUE) : port;
    AtomicInteger actual = new AtomicInteger();
    return vertx.deployVerticle(() -> new ServerVerticle(host, bindPort, handler, actual),
            new DeploymentOptions().setInstances(instances))
        .map(id -> new Listeners(vertx, actual.get(), id));
  }

  int port() {
    return port;
  }

  Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  private static final class ServerVerticle extends VerticleBase {
    private final String host;
    private final int port;
    private final Handler<HttpServerRequest> handler;
    private final AtomicInteger actualPort;

    ServerVerticle(String host, int port, Handler<HttpServerRequest> handler, AtomicInteger actualPort) {
      this.host = host;
      this.port = port;
      this.handler = handler;
      this.actualPort = actualPort;
    }

    @Override
    public Future<?> start() {
      HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true);
      return vertx.createHttpServer(options)
          .requestHandler(handler)
          .listen()
          .onSuccess(server -> actualPort.set(server.actualPort()));
    }
  }
}
