package dev.warden.crypto.dp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Remembers the noisy answer given to (tenant, model, input digest), so that repeating an identical request
 * returns the <em>same</em> noisy answer at no privacy cost. Without it a caller could average the noise away
 * by asking the same question many times; with it, repetition reveals nothing new.
 *
 * <p>The gateway supplies the digest (HMAC-SHA-256 of the canonical input tensors, ARCHITECTURE.md step 5) and
 * stores its final encoded response (or any value) for the key. Bounded LRU: an evicted entry only means the
 * next identical request is charged again and gets fresh noise — never a free fresh answer.
 *
 * <h2>Security guarantees</h2>
 * A cached answer is returned only for the same tenant, model and digest (digests compared by value). The cache
 * holds released answers only; it never returns noise that was not already given to that tenant. Not
 * guaranteed: sharing across gateway replicas (each replica has its own cache; a request repeated on another
 * replica is charged again). Thread-safe.
 *
 * @param <V> the cached response type
 */
public final class NoisyResponseCache<V> {

    private record Key(String tenant, String model, String digestHex) {
    }

    private final Map<Key, V> map;

    /** A cache of at most {@code maxEntries} answers. */
    public NoisyResponseCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("cache size must be >= 1, got " + maxEntries);
        }
        this.map = new LinkedHashMap<>(Math.min(maxEntries, 1 << 16), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    private static Key key(String tenant, String model, byte[] inputDigest) {
        LedgerArgs.id(tenant, "tenant");
        LedgerArgs.id(model, "model");
        Objects.requireNonNull(inputDigest, "inputDigest");
        if (inputDigest.length < 16) {
            throw new IllegalArgumentException("input digest must be at least 16 bytes, got " + inputDigest.length);
        }
        return new Key(tenant, model, HexFormat.of().formatHex(inputDigest));
    }

    /** The answer already given for this (tenant, model, digest), if any: return it and debit nothing. */
    public synchronized Optional<V> get(String tenant, String model, byte[] inputDigest) {
        return Optional.ofNullable(map.get(key(tenant, model, inputDigest)));
    }

    /**
     * Stores the answer released for this (tenant, model, digest). If one is already stored (two identical
     * requests raced and both were charged), the first stays and is returned, so later repeats see one answer.
     */
    public synchronized V putIfAbsent(String tenant, String model, byte[] inputDigest, V answer) {
        Objects.requireNonNull(answer, "answer");
        V prev = map.putIfAbsent(key(tenant, model, Arrays.copyOf(inputDigest, inputDigest.length)), answer);
        return prev == null ? answer : prev;
    }

    public synchronized int size() {
        return map.size();
    }
}
