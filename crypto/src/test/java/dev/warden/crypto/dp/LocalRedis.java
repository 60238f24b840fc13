package dev.warden.crypto.dp;

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
 * {@code appendfsync always}, stopped by its process handle. Skips when the binary is missing, except with
 * {@code CI=true}, where it fails.
 */
final class LocalRedis implements AutoCloseable {
    static final String INSTALL_HINT = "redis-server not found on PATH; install it with "
            + "'apt-get update && apt-get install -y redis-server'";

    private final Path dir;
    private final int port;
    private final boolean aof;
    private Process process;

    private LocalRedis(Path dir, int port, boolean aof) {
        this.dir = dir;
        this.port = port;
        this.aof = aof;
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
    static LocalRedis start(Path dir, boolean aof) throws Exception {
        if (findBinary() == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(INSTALL_HINT + " (CI=true: Redis tests may not be skipped)");
            }
            Assumptions.assumeTrue(false, INSTALL_HINT);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LocalRedis r = new LocalRedis(dir.toAbsolutePath(), port, aof);
        r.startProcess();
        return r;
    }

    void startProcess() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(findBinary().toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--dir", dir.toString(),
                "--logfile", dir.resolve("redis.log").toString()));
        if (aof) {
            cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            cmd.addAll(List.of("--appendonly", "no"));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (RespConnection c = new RespConnection("127.0.0.1", port, Duration.ofMillis(200),
                    Duration.ofMillis(500))) {
                Object pong = c.call("PING");
                if ("PONG".equals(pong)) {
                    // with AOF, wait until the server accepts writes (loading finished)
                    return;
                }
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer PING on port " + port);
    }

    int port() {
        return port;
    }

    /** SIGKILL, no chance to flush anything more. */
    void kill() throws InterruptedException {
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
