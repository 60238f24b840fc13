package dev.warden.crypto.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small pool of blocking {@link RespConnection}s to one Redis server, with AUTH on connect and Lua scripts run by
 * EVALSHA (falling back to EVAL once the server answers NOSCRIPT). Connections are opened lazily; a connection that
 * failed is dropped, one that answered is kept (up to {@code maxIdle}). Thread-safe; each call blocks its caller, so
 * never call it on an event loop.
 */
public final class RespPool implements AutoCloseable {

    /** A Lua script and its SHA-1 (the EVALSHA name). */
    public record Script(String body, String sha) {
        public static Script of(String body) {
            try {
                return new Script(body, HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8))));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final String host;
    private final int port;
    private final SSLSocketFactory tls;
    private final String password;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final ArrayBlockingQueue<RespConnection> idle;
    private volatile boolean closed;

    /**
     * @param tls TLS socket factory ({@link RedisTls}), or null for plain TCP
     * @param password AUTH password, or null
     */
    public RespPool(String host, int port, SSLSocketFactory tls, String password, Duration connectTimeout,
            Duration commandTimeout, int maxIdle) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.tls = tls;
        this.password = password;
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    /** Runs {@code script} with {@code keys} and {@code args}. */
    public Object eval(Script script, String[] keys, String... args) throws IOException {
        String[] cmd = new String[3 + keys.length + args.length];
        cmd[0] = "EVALSHA";
        cmd[1] = script.sha();
        cmd[2] = Integer.toString(keys.length);
        System.arraycopy(keys, 0, cmd, 3, keys.length);
        System.arraycopy(args, 0, cmd, 3 + keys.length, args.length);
        try {
            return call(cmd);
        } catch (RespConnection.RespError e) {
            if (!e.getMessage().startsWith("NOSCRIPT")) {
                throw e;
            }
            cmd[0] = "EVAL";
            cmd[1] = script.body();
            return call(cmd);
        }
    }

    /**
     * Sends one command. A server error throws {@link RespConnection.RespError} (the connection stays pooled);
     * any other failure throws {@link IOException} and drops the connection.
     */
    public Object call(String... cmd) throws IOException {
        if (closed) {
            throw new IOException("Redis connection pool is closed");
        }
        RespConnection c = idle.poll();
        try {
            if (c == null) {
                c = connect();
            }
            Object reply = c.call(cmd);
            release(c);
            return reply;
        } catch (RespConnection.RespError e) {
            release(c);
            throw e;
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private void release(RespConnection c) {
        if (closed || !idle.offer(c)) {
            c.close();
        }
    }

    private RespConnection connect() throws IOException {
        RespConnection c = new RespConnection(host, port, tls, connectTimeout, commandTimeout);
        if (password != null) {
            try {
                c.call("AUTH", password);
            } catch (IOException | RuntimeException e) {
                c.close();
                throw new IOException("Redis AUTH failed", e); // the cause never holds the password
            }
        }
        return c;
    }

    @Override
    public void close() {
        closed = true;
        RespConnection c;
        while ((c = idle.poll()) != null) {
            c.close();
        }
    }

    @Override
    public String toString() {
        return (tls != null ? "rediss://" : "redis://") + host + ":" + port;
    }
}
