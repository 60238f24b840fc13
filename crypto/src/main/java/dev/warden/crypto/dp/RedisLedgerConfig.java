package dev.warden.crypto.dp;

import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where and how the Redis ledger connects. Immutable; {@link #toString()} never shows the password.
 *
 * @param host Redis host
 * @param port Redis port
 * @param password AUTH password, or null
 * @param connectTimeout TCP connect timeout
 * @param commandTimeout how long a debit waits for Redis before failing closed
 * @param requestIdTtl how long a request id is remembered for idempotency
 * @param keyPrefix prefix of every key (e.g. a deployment name)
 * @param maxIdleConnections connections kept open between calls
 * @param tls TLS socket factory for {@code rediss://} ({@link dev.warden.crypto.redis.RedisTls}), or null for plain
 */
public record RedisLedgerConfig(String host, int port, String password, Duration connectTimeout,
        Duration commandTimeout, Duration requestIdTtl, String keyPrefix, int maxIdleConnections,
        SSLSocketFactory tls) {

    public RedisLedgerConfig {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Redis port out of range: " + port);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(requestIdTtl, "requestIdTtl");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (requestIdTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("request id TTL must be at least 1 s, got " + requestIdTtl);
        }
        if (maxIdleConnections < 1) {
            throw new IllegalArgumentException("maxIdleConnections must be >= 1, got " + maxIdleConnections);
        }
    }

    /** Defaults: no password, 1 s connect, 2 s command timeout, ids kept 1 day, prefix "warden:dp", 16 idle. */
    public static RedisLedgerConfig of(String host, int port) {
        return new RedisLedgerConfig(host, port, null, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofDays(1), "warden:dp", 16, null);
    }

    public RedisLedgerConfig withPassword(String newPassword) {
        return new RedisLedgerConfig(host, port, newPassword, connectTimeout, commandTimeout, requestIdTtl, keyPrefix,
                maxIdleConnections, tls);
    }

    public RedisLedgerConfig withCommandTimeout(Duration timeout) {
        return new RedisLedgerConfig(host, port, password, connectTimeout, timeout, requestIdTtl, keyPrefix,
                maxIdleConnections, tls);
    }

    /** Talks TLS through {@code factory} (the server's certificate is checked against {@link #host()}). */
    public RedisLedgerConfig withTls(SSLSocketFactory factory) {
        return new RedisLedgerConfig(host, port, password, connectTimeout, commandTimeout, requestIdTtl, keyPrefix,
                maxIdleConnections, factory);
    }

    @Override
    public String toString() {
        return "RedisLedgerConfig{" + (tls != null ? "rediss://" : "redis://") + host + ":" + port
                + (password != null ? ", password=***" : "") + ", prefix="
                + keyPrefix + ", commandTimeout=" + commandTimeout + ", requestIdTtl=" + requestIdTtl + "}";
    }
}
