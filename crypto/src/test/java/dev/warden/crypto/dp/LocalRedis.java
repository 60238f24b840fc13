package dev.warden.crypto.dp;

import dev.warden.crypto.redis.RedisTls;
import dev.warden.crypto.redis.RespConnection;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} started on loopback for a test (BUILD.md): no snapshots, optional AOF with
 * {@code appendfsync always}, optionally TLS only ({@link #startTls}), stopped by its process handle. Skips when
 * the binary is missing, except with {@code CI=true}, where it fails. Shared with the gateway's tests (test-jar).
 */
public final class LocalRedis implements AutoCloseable {
    static final String INSTALL_HINT = "redis-server not found on PATH; install it with "
            + "'apt-get update && apt-get install -y redis-server'";

    private final Path dir;
    private final int port;
    private final boolean aof;
    private final TestCerts tls;
    private Process process;

    private LocalRedis(Path dir, int port, boolean aof, TestCerts tls) {
        this.dir = dir;
        this.port = port;
        this.aof = aof;
        this.tls = tls;
    }

    static Path findBinary() {
        for (String p : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path c = Path.of(p, "redis-server");
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        for (String p : new String[] {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    /** Starts a server in {@code dir} on a free port; skips (or fails on CI) without the binary. */
    public static LocalRedis start(Path dir, boolean aof) throws Exception {
        return start(dir, aof, null);
    }

    /** Starts a server that speaks only TLS (no plain port) with {@code certs}; clients need not show a certificate. */
    public static LocalRedis startTls(Path dir, TestCerts certs) throws Exception {
        return start(dir, false, certs);
    }

    private static LocalRedis start(Path dir, boolean aof, TestCerts tls) throws Exception {
        if (findBinary() == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(INSTALL_HINT + " (CI=true: Redis tests may not be skipped)");
            }
            Assumptions.assumeTrue(false, INSTALL_HINT);
        }
        // The free port is closed again before redis-server binds it: another process (or a server of this JVM
        // binding port 0) can take it in between. Then redis-server exits with "Address already in use": try
        // another port rather than fail the test.
        for (int attempt = 1;; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            LocalRedis r = new LocalRedis(dir.toAbsolutePath(), port, aof, tls);
            try {
                r.startProcess();
                return r;
            } catch (PortTaken e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** redis-server could not bind the port chosen for it. */
    private static final class PortTaken extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTaken(String log) {
            super("redis-server exited: " + log);
        }
    }

    /** (Re)starts the server process on the same port and directory, and waits until it answers PING. */
    public void startProcess() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(findBinary().toString(), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString()));
        if (tls == null) {
            cmd.addAll(List.of("--port", Integer.toString(port)));
        } else {
            cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file",
                    tls.cert().toString(), "--tls-key-file", tls.key().toString(), "--tls-ca-cert-file",
                    tls.ca().toString(), "--tls-auth-clients", "no"));
        }
        if (aof) {
            cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            cmd.addAll(List.of("--appendonly", "no"));
        }
        Path logFile = dir.resolve("redis.log");
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (RespConnection c = tls == null
                    ? new RespConnection("127.0.0.1", port, Duration.ofMillis(200), Duration.ofMillis(500))
                    : new RespConnection("localhost", port, RedisTls.socketFactory(tls.ca()), Duration.ofMillis(200),
                            Duration.ofMillis(500))) {
                Object pong = c.call("PING");
                if ("PONG".equals(pong)) {
                    // with AOF, wait until the server accepts writes (loading finished)
                    return;
                }
            } catch (IOException e) {
                if (!process.isAlive()) {
                    String log = Files.readString(logFile);
                    String thisRun = log.substring((int) Math.min(logStart, log.length()));
                    if (thisRun.contains("Address already in use")) {
                        throw new PortTaken(thisRun);
                    }
                    throw new IllegalStateException("redis-server exited: " + log);
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port);
    }

    public int port() {
        return port;
    }

    /** SIGKILL, no chance to flush anything more. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
