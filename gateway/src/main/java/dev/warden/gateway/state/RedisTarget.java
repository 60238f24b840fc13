package dev.warden.gateway.state;

import dev.warden.crypto.redis.RedisTls;
import dev.warden.crypto.redis.RespPool;
import dev.warden.policies.Specs.State;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * The Redis server of {@code spec.state} ({@code store: redis}) as every Redis-backed part of the gateway sees it:
 * host and port from the url, TLS for {@code rediss://} (the certificate checked against the host name, trusted
 * through {@code caFile} or the JVM's trust store), the password read from {@code passwordFile}. Plain TCP only for
 * {@code redis://}. {@link #toString()} never shows the password.
 */
public final class RedisTarget {
  /** Connect and command timeout: a request waits at most this long for Redis before its fallback applies. */
  public static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final String host;
  private final int port;
  private final boolean tls;
  private final Path caFile;
  private final String password;
  private final boolean failOpen;
  private final String identity;

  private RedisTarget(String host, int port, boolean tls, Path caFile, String password, boolean failOpen,
      String identity) {
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.caFile = caFile;
    this.password = password;
    this.failOpen = failOpen;
    this.identity = identity;
  }

  /** The target of {@code s}, which must be {@code store: redis}; reads the password file. */
  public static RedisTarget of(State s) throws IOException {
    if (!s.store().equals("redis")) {
      throw new IllegalArgumentException("state.store is " + s.store() + ", not redis");
    }
    URI u = URI.create(s.url().orElseThrow(() -> new IllegalArgumentException("state.store redis needs url")));
    if (u.getHost() == null) {
      throw new IllegalArgumentException("state.url needs a host: " + u.getScheme() + "://HOST[:PORT]");
    }
    if (u.getUserInfo() != null) {
      throw new IllegalArgumentException("state.url must not carry credentials: use state.passwordFile");
    }
    if (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/") && !u.getPath().equals("/0")) {
      throw new IllegalArgumentException("state.url selects database " + u.getPath().substring(1)
          + ": only database 0 is supported (keys are prefixed warden:; use another server to separate deployments)");
    }
    boolean tls = u.getScheme().equals("rediss");
    String password = s.passwordFile().isPresent() ? Files.readString(s.passwordFile().get()).strip() : null;
    return new RedisTarget(u.getHost(), u.getPort() > 0 ? u.getPort() : 6379, tls, s.caFile().orElse(null), password,
        s.onUnavailable().equals("fail-open"), identityOf(s));
  }

  /** Equal for two policies naming the same server, credentials, trust and failure mode (reuse across reloads). */
  public String identity() {
    return identity;
  }

  /** {@link #identity()} of {@code s}'s target, without reading any file (to decide whether to reconnect). */
  public static String identityOf(State s) {
    return s.url().orElse("") + '|' + s.passwordFile().map(Path::toString).orElse("") + '|'
        + s.caFile().map(Path::toString).orElse("") + '|' + s.onUnavailable();
  }

  public boolean failOpen() {
    return failOpen;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** TLS socket factory for the blocking client, or null for plain {@code redis://}. */
  public SSLSocketFactory socketFactory() throws IOException {
    return tls ? RedisTls.socketFactory(caFile) : null;
  }

  /** The password, or null (for the blocking client; never logged). */
  public String password() {
    return password;
  }

  /** A pool of blocking connections, for callers on worker threads. */
  public RespPool blockingPool(int maxIdle) throws IOException {
    return new RespPool(host, port, socketFactory(), password, TIMEOUT, TIMEOUT, maxIdle);
  }

  /** Options for the non-blocking Vert.x client, for callers on the event loop. */
  public RedisOptions vertxOptions() {
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) TIMEOUT.toMillis()).setTcpNoDelay(true);
    if (tls) {
      net.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
      if (caFile != null) {
        net.setTrustOptions(new PemTrustOptions().addCertPath(caFile.toString()));
      }
    }
    RedisOptions o = new RedisOptions().setConnectionString((tls ? "rediss://" : "redis://") + host + ":" + port)
        .setNetClientOptions(net).setMaxPoolSize(8).setMaxPoolWaiting(4096).setMaxWaitingHandlers(4096);
    if (password != null) {
      o.setPassword(password);
    }
    return o;
  }

  @Override
  public String toString() {
    return (tls ? "rediss://" : "redis://") + host + ":" + port + (password != null ? " (password set)" : "");
  }
}
