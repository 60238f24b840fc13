package dev.warden.crypto.dp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Function;

/**
 * The ledger for several gateway replicas: balances in Redis, each debit one Lua script that reads both
 * counters, refuses if either cap would be passed, increments both and stores the request id with a TTL —
 * atomically, because Redis runs a script without interleaving other commands.
 *
 * <p><b>Keys.</b> {@code <prefix>:{<model>}:p<period>:t:<tenant>} (tenant counter),
 * {@code <prefix>:{<model>}:p<period>:g} (global counter), {@code <prefix>:{<model>}:req:<id>} (idempotency
 * record). The hash tag {@code {<model>}} puts all keys a script touches in one Redis Cluster slot. Names are
 * escaped so that no id can inject a brace or a separator.
 *
 * <p><b>Fail closed.</b> Any connection error, timeout or script error throws
 * {@link PrivacyLedgerUnavailableException}. A debit whose reply was lost may have been applied; it is not undone
 * (over-counting is safe, under-counting is not). Durability of acknowledged debits is that of the Redis server:
 * run it with {@code appendonly yes} and {@code appendfsync always} for the same guarantee as the embedded ledger.
 */
public final class RedisPrivacyLedger implements PrivacyLedger {

    private static final String DEBIT_SCRIPT = String.join("\n",
            "local prev = redis.call('GET', KEYS[3])",
            "local t = tonumber(redis.call('GET', KEYS[1]) or '0')",
            "local g = tonumber(redis.call('GET', KEYS[2]) or '0')",
            "if prev then return {2, t, g, prev} end",
            "local c = tonumber(ARGV[1])",
            "if t + c > tonumber(ARGV[2]) then return {0, t, g} end",
            "if g + c > tonumber(ARGV[3]) then return {-1, t, g} end",
            "t = redis.call('INCRBY', KEYS[1], c)",
            "g = redis.call('INCRBY', KEYS[2], c)",
            "redis.call('SET', KEYS[3], ARGV[5], 'EX', tonumber(ARGV[4]))",
            "return {1, t, g}");

    private static final String REFUND_SCRIPT = String.join("\n",
            "if redis.call('GET', KEYS[3]) then",
            "  redis.call('DECRBY', KEYS[1], ARGV[1])",
            "  redis.call('DECRBY', KEYS[2], ARGV[1])",
            "  redis.call('DEL', KEYS[3])",
            "  return 1",
            "end",
            "return 0");

    private static final String DEBIT_SHA = sha1(DEBIT_SCRIPT);
    private static final String REFUND_SHA = sha1(REFUND_SCRIPT);

    private final RedisLedgerConfig config;
    private final Function<String, ModelBudgetPolicy> policies;
    private final Clock clock;
    private final ArrayBlockingQueue<RespConnection> idle;
    private volatile boolean closed;

    private RedisPrivacyLedger(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.idle = new ArrayBlockingQueue<>(config.maxIdleConnections());
    }

    /** A ledger on the Redis server of {@code config}; connections are opened lazily (nothing fails here). */
    public static RedisPrivacyLedger create(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies,
            Clock clock) {
        return new RedisPrivacyLedger(config, policies, clock);
    }

    public static RedisPrivacyLedger create(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies) {
        return create(config, policies, Clock.systemUTC());
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Escapes characters that would break the key layout or the hash tag. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '%' -> b.append("%25");
                case '{' -> b.append("%7B");
                case '}' -> b.append("%7D");
                case ':' -> b.append("%3A");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    String[] keys(String tenant, String model, long period, String requestId) {
        String base = config.keyPrefix() + ":{" + esc(model) + "}";
        return new String[] {base + ":p" + period + ":t:" + esc(tenant), base + ":p" + period + ":g",
            base + ":req:" + esc(requestId)};
    }

    @Override
    public DebitReceipt debit(String requestId, String tenant, String model, PrivacyCost cost)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        ModelBudgetPolicy policy = LedgerArgs.debit(requestId, tenant, model, cost, policies);
        long period = policy.periodAt(clock.millis());
        String[] k = keys(tenant, model, period, requestId);
        String record = period + ":" + cost.micros() + ":" + esc(tenant);
        List<?> r = (List<?>) script(DEBIT_SHA, DEBIT_SCRIPT, k, Long.toString(cost.micros()),
                Long.toString(policy.perTenant().capMicros()), Long.toString(policy.global().capMicros()),
                Long.toString(config.requestIdTtl().toSeconds()), record);
        long verdict = (Long) r.get(0);
        long t = (Long) r.get(1);
        long g = (Long) r.get(2);
        if (verdict == 1) {
            return new DebitReceipt(requestId, period, cost, new BudgetStatus(tenant, model, policy, t, g), false);
        }
        if (verdict == 2) {
            String[] prev = ((String) r.get(3)).split(":", 3);
            if (!prev[2].equals(esc(tenant))) {
                throw new IllegalArgumentException("request id '" + requestId
                        + "' was already used for another tenant");
            }
            long prevPeriod = Long.parseLong(prev[0]);
            BudgetStatus s = prevPeriod == period ? new BudgetStatus(tenant, model, policy, t, g)
                    : status(tenant, model);
            return new DebitReceipt(requestId, prevPeriod, PrivacyCost.ofMicros(Long.parseLong(prev[1])), s, true);
        }
        throw new PrivacyBudgetExhaustedException(verdict == 0 ? PrivacyBudgetExhaustedException.Cap.TENANT
                : PrivacyBudgetExhaustedException.Cap.GLOBAL, new BudgetStatus(tenant, model, policy, t, g));
    }

    @Override
    public void refund(DebitReceipt receipt) throws PrivacyLedgerUnavailableException {
        Objects.requireNonNull(receipt, "receipt");
        if (receipt.released()) {
            throw new IllegalStateException("request " + receipt.requestId()
                    + " produced noisy output: its privacy cost cannot be refunded");
        }
        if (receipt.repeated()) {
            return; // the original debit's holder decides about refunds
        }
        String[] k = keys(receipt.tenant(), receipt.model(), receipt.period(), receipt.requestId());
        script(REFUND_SHA, REFUND_SCRIPT, k, Long.toString(receipt.cost().micros()));
    }

    @Override
    public BudgetStatus status(String tenant, String model) throws PrivacyLedgerUnavailableException {
        ModelBudgetPolicy policy = LedgerArgs.policy(policies, model);
        long period = policy.periodAt(clock.millis());
        String[] k = keys(tenant, model, period, "-");
        List<?> r = (List<?>) call("MGET", k[0], k[1]);
        return new BudgetStatus(tenant, model, policy, r.get(0) == null ? 0 : Long.parseLong((String) r.get(0)),
                r.get(1) == null ? 0 : Long.parseLong((String) r.get(1)));
    }

    private Object script(String sha, String body, String[] keys, String... args)
            throws PrivacyLedgerUnavailableException {
        String[] cmd = new String[3 + keys.length + args.length];
        cmd[0] = "EVALSHA";
        cmd[1] = sha;
        cmd[2] = Integer.toString(keys.length);
        System.arraycopy(keys, 0, cmd, 3, keys.length);
        System.arraycopy(args, 0, cmd, 3 + keys.length, args.length);
        try {
            return call(cmd);
        } catch (PrivacyLedgerUnavailableException e) {
            if (e.getCause() instanceof RespConnection.RespError re && re.getMessage().startsWith("NOSCRIPT")) {
                cmd[0] = "EVAL";
                cmd[1] = body;
                return call(cmd);
            }
            throw e;
        }
    }

    private Object call(String... cmd) throws PrivacyLedgerUnavailableException {
        if (closed) {
            throw new PrivacyLedgerUnavailableException("Redis privacy ledger is closed", null);
        }
        RespConnection c = idle.poll();
        try {
            if (c == null) {
                c = connect();
            }
            Object reply = c.call(cmd);
            if (closed || !idle.offer(c)) {
                c.close();
            }
            return reply;
        } catch (RespConnection.RespError e) {
            if (!idle.offer(c)) {
                c.close();
            }
            throw new PrivacyLedgerUnavailableException("Redis refused the ledger command: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            throw new PrivacyLedgerUnavailableException("Redis privacy ledger at " + config.host() + ":"
                    + config.port() + " unreachable: " + e, e);
        }
    }

    private RespConnection connect() throws IOException {
        RespConnection c = new RespConnection(config.host(), config.port(), config.connectTimeout(),
                config.commandTimeout());
        if (config.password() != null) {
            try {
                c.call("AUTH", config.password());
            } catch (IOException | RuntimeException e) {
                c.close();
                throw new IOException("Redis AUTH failed", e);
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
        return "RedisPrivacyLedger{" + config + "}";
    }
}
