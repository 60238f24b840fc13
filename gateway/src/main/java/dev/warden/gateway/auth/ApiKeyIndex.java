package dev.warden.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * API keys → tenant, knowing only the SHA-256 of each key (the policy's hash files).
 *
 * <p>A presented key is hashed, the hash looked up, and the stored hash compared with
 * {@link MessageDigest#isEqual} (constant time). The lookup's timing depends only on the hash of the
 * presented key, which tells an attacker nothing about any stored key: finding a key whose hash
 * collides in a hash-table bucket gives no information about the preimage. Keys themselves are never
 * stored or logged.
 */
public final class ApiKeyIndex {
  private final Map<HashKey, Entry> byHash;

  private record Entry(byte[] hash, String tenant) {}

  private record HashKey(long a, long b, long c, long d) {
    static HashKey of(byte[] h) {
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(h);
      return new HashKey(bb.getLong(), bb.getLong(), bb.getLong(), bb.getLong());
    }
  }

  private ApiKeyIndex(Map<HashKey, Entry> byHash) {
    this.byHash = byHash;
  }

  /** Builder input: tenant id → hex SHA-256 hashes. A hash claimed by two tenants is refused. */
  public static ApiKeyIndex of(Map<String, ? extends Iterable<String>> hexHashesByTenant) {
    Map<HashKey, Entry> m = new HashMap<>();
    for (var e : hexHashesByTenant.entrySet()) {
      for (String hex : e.getValue()) {
        byte[] h = HexFormat.of().parseHex(hex);
        if (h.length != 32) {
          throw new IllegalArgumentException("not a SHA-256: " + hex.length() + " hex digits");
        }
        Entry prev = m.put(HashKey.of(h), new Entry(h, e.getKey()));
        if (prev != null && !prev.tenant().equals(e.getKey())) {
          throw new IllegalArgumentException("the same API key hash is listed for tenants " + prev.tenant()
              + " and " + e.getKey());
        }
      }
    }
    return new ApiKeyIndex(Map.copyOf(m));
  }

  /** The tenant owning {@code apiKey}, or null. */
  public String tenantFor(String apiKey) {
    byte[] h = sha256(apiKey.getBytes(StandardCharsets.UTF_8));
    Entry e = byHash.get(HashKey.of(h));
    if (e == null || !MessageDigest.isEqual(e.hash(), h)) {
      return null;
    }
    return e.tenant();
  }

  public int size() {
    return byHash.size();
  }

  /** Hex SHA-256 of a key, as ops put it in a hash file ({@code warden apikey} prints it). */
  public static String hashHex(String apiKey) {
    return HexFormat.of().formatHex(sha256(apiKey.getBytes(StandardCharsets.UTF_8)));
  }

  /** One digest per thread (event loops are few and long-lived): no provider lookup per request. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private static byte[] sha256(byte[] b) {
    return SHA256.get().digest(b); // digest() resets it for the next use
  }
}
