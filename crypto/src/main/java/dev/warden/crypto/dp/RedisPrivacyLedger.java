package dev.warden.crypto.dp;

import dev.warden.crypto.redis.RespConnection;
import dev.warden.crypto.redis.RespPool;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
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

    private static final RespPool.Script DEBIT = RespPool.Script.of(DEBIT_SCRIPT);
    private static final RespPool.Script REFUND = RespPool.Script.of(REFUND_SCRIPT);

    private final RedisLedgerConfig config;
    private final Function<String, ModelBudgetPolicy> policies;
    private final Clock clock;
    private final RespPool pool;
    private volatile boolean closed;

    private RedisPrivacyLedger(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.policies = Objects.requireNonNull(policies, "policies");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.pool = new RespPool(config.host(), config.port(), config.tls(), config.password(),
                config.connectTimeout(), config.commandTimeout(), config.maxIdleConnections());
    }

    /** A ledger on the Redis server of {@code config}; connections are opened lazily (nothing fails here). */
    public static RedisPrivacyLedger create(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies,
            Clock clock) {
        return new RedisPrivacyLedger(config, policies, clock);
    }

    public static RedisPrivacyLedger create(RedisLedgerConfig config, Function<String, ModelBudgetPolicy> policies) {
        return create(config, policies, Clock.systemUTC());
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
        List<?> r = (List<?>) script(DEBIT, k, Long.toString(cost.micros()),
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
        script(REFUND, k, Long.toString(receipt.cost().micros()));
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

    private Object script(RespPool.Script script, String[] keys, String... args)
            throws PrivacyLedgerUnavailableException {
        if (closed) {
            throw new PrivacyLedgerUnavailableException("Redis privacy ledger is closed", null);
        }
        try {
            return pool.eval(script, keys, args);
        } catch (IOException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    private Object call(String... cmd) throws PrivacyLedgerUnavailableException {
        if (closed) {
            throw new PrivacyLedgerUnavailableException("Redis privacy ledger is closed", null);
        }
        try {
            return pool.call(cmd);
        } catch (IOException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    private PrivacyLedgerUnavailableException unavailable(Exception e) {
        if (e instanceof RespConnection.RespError) {
            return new PrivacyLedgerUnavailableException("Redis refused the ledger command: " + e.getMessage(), e);
        }
        return new PrivacyLedgerUnavailableException("Redis privacy ledger at " + pool + " unreachable: " + e, e);
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    @Override
    public String toString() {
        return "RedisPrivacyLedger{" + config + "}";
    }
}
