package dev.warden.gateway.screening;

import dev.warden.crypto.redis.RespPool;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.QueryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The query-attack store shared by every replica through Redis ({@code spec.state.store: redis}): attackers switch
 * replicas as they switch accounts, so a stream spread over replicas must still match itself.
 *
 * <p><b>Layout.</b> Per fingerprint hash a sorted set {@code <prefix>:h:<hash>} of postings {@code <id>|<tenant>}
 * scored by insertion time (ms, Redis server clock). One Lua script per query walks the newest
 * {@link #MAX_WALK} live postings of each of the query's hashes, counts shared hashes per earlier query, keeps the
 * best, then inserts the query's postings, drops postings older than the TTL, caps each set at
 * {@code postingsPerHash} (newest kept: bounds memory even for hashes common to many inputs) and sets each set's
 * TTL, so idle hashes vanish. Alarms are counted per tenant in a hash. Every key carries the hash tag
 * {@code {<namespace>}}, so one script's keys share a Redis Cluster slot.
 *
 * <p><b>Secrets.</b> Replicas must fingerprint with the same salt and hash key ({@link #sharedFingerprinter}): the
 * first replica stores random secrets with {@code SET NX}, the others read them. Who can read Redis can read them;
 * protect Redis with a password and TLS ({@code rediss://}).
 *
 * <p><b>Blocking.</b> Each call is one round trip on a blocking connection ({@link RespPool}): {@link #blocking()}
 * is true, and a call on a Vert.x event loop is refused. A Redis failure throws {@link UncheckedIOException}, and
 * the screen's {@code onError} decides.
 */
public final class RedisQueryStore implements QueryStore {
  /** Newest postings inspected per hash per check, as in the embedded store. */
  public static final int MAX_WALK = 256;
  /** Rough Redis bytes per stored posting (sorted-set entry, member string, skiplist node), for metrics. */
  private static final long BYTES_PER_POSTING = 80;

  static final RespPool.Script CHECK_AND_ADD = RespPool.Script.of(String.join("\n",
      "local t = redis.call('TIME')",
      "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
      "local tenant = ARGV[1]",
      "local threshold = tonumber(ARGV[2])",
      "local ttl = tonumber(ARGV[3])",
      "local cap = tonumber(ARGV[4])",
      "local walk = tonumber(ARGV[5])",
      "local oldest = now - ttl",
      "local counts = {}",
      "local times = {}",
      "for i = 4, #KEYS do",
      "  local hits = redis.call('ZREVRANGEBYSCORE', KEYS[i], '+inf', '(' .. oldest, 'WITHSCORES', 'LIMIT', 0, walk)",
      "  for j = 1, #hits, 2 do",
      "    local m = hits[j]",
      "    counts[m] = (counts[m] or 0) + 1",
      "    times[m] = tonumber(hits[j + 1])",
      "  end",
      "end",
      "local best = 0",
      "local bestMember = nil",
      "local bestTime = 0",
      "for m, c in pairs(counts) do",
      "  if c > best or (c == best and times[m] > bestTime) then best = c; bestMember = m; bestTime = times[m] end",
      "end",
      "local member = redis.call('INCR', KEYS[1]) .. '|' .. tenant",
      "for i = 4, #KEYS do",
      "  redis.call('ZADD', KEYS[i], now, member)",
      "  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', oldest)",
      "  local n = redis.call('ZCARD', KEYS[i])",
      "  if n > cap then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, n - cap - 1) end",
      "  redis.call('PEXPIRE', KEYS[i], ttl)",
      "end",
      "redis.call('ZADD', KEYS[2], now, member)",
      "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', oldest)",
      "redis.call('PEXPIRE', KEYS[2], ttl)",
      "local flagged = 0",
      "if best >= threshold and best > 0 then flagged = 1; redis.call('HINCRBY', KEYS[3], tenant, 1) end",
      "local other = 0",
      "local age = -1",
      "if bestMember then",
      "  if string.sub(bestMember, string.find(bestMember, '|', 1, true) + 1) ~= tenant then other = 1 end",
      "  age = now - bestTime",
      "end",
      "return {best, flagged, other, age}"));

  private final RespPool pool;
  private final String prefix;
  private final int maxHashes;
  private final long ttlMillis;
  private final int postingsPerHash;

  /**
   * @param pool connections to the shared Redis (not closed by the store)
   * @param namespace the store's name in Redis (e.g. {@link #namespace(FingerprintParams)}); all keys are tagged with it
   * @param maxHashes largest fingerprint length accepted (S)
   * @param ttlMillis retention of a fingerprint
   * @param postingsPerHash newest postings kept per hash
   */
  public RedisQueryStore(RespPool pool, String namespace, int maxHashes, long ttlMillis, int postingsPerHash) {
    this.pool = Objects.requireNonNull(pool, "pool");
    if (maxHashes < 1 || ttlMillis < 1 || postingsPerHash < 1) {
      throw new IllegalArgumentException("maxHashes, ttlMillis and postingsPerHash must be positive");
    }
    this.prefix = "warden:qs:{" + namespace.replace("{", "%7B").replace("}", "%7D") + "}";
    this.maxHashes = maxHashes;
    this.ttlMillis = ttlMillis;
    this.postingsPerHash = postingsPerHash;
  }

  /** A stable name for the store of one fingerprint schema: stores of different parameters never mix. */
  public static String namespace(FingerprintParams p) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(p.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The fingerprinter every replica shares for {@code params}: its salt and SipHash key are drawn once from
   * {@link SecureRandom} by whichever replica comes first ({@code SET NX}) and read by the others.
   */
  public static Fingerprinter sharedFingerprinter(RespPool pool, String namespace, FingerprintParams params)
      throws IOException {
    byte[] fresh = new byte[20];
    new SecureRandom().nextBytes(fresh);
    String key = "warden:qs:{" + namespace + "}:secret";
    pool.call("SET", key, Base64.getEncoder().encodeToString(fresh), "NX");
    Object stored = pool.call("GET", key);
    if (!(stored instanceof String s)) {
      throw new IOException("the shared fingerprint secret is missing from Redis");
    }
    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(s));
    if (b.remaining() != 20) {
      throw new IOException("the shared fingerprint secret in Redis has the wrong length");
    }
    float unit = (b.getInt() >>> 8) / (float) (1 << 24); // [0, 1), like SecureRandom.nextFloat
    float salt = Math.min(unit * params.saltRange() * params.step(), Math.nextDown(params.step()));
    return Fingerprinter.withSecrets(params, salt, b.getLong(), b.getLong());
  }

  @Override
  public Match checkAndAdd(String tenant, long[] fingerprint, int threshold) {
    Objects.requireNonNull(tenant, "tenant");
    if (fingerprint.length > maxHashes) {
      throw new IllegalArgumentException("fingerprint has " + fingerprint.length + " hashes, store holds at most "
          + maxHashes);
    }
    refuseOnEventLoop();
    String[] keys = new String[3 + fingerprint.length];
    keys[0] = prefix + ":seq";
    keys[1] = prefix + ":entries";
    keys[2] = prefix + ":alarms";
    for (int i = 0; i < fingerprint.length; i++) {
      keys[3 + i] = prefix + ":h:" + Long.toHexString(fingerprint[i]);
    }
    try {
      List<?> r = (List<?>) pool.eval(CHECK_AND_ADD, keys, tenant, Integer.toString(threshold),
          Long.toString(ttlMillis), Integer.toString(postingsPerHash), Integer.toString(MAX_WALK));
      int shared = ((Long) r.get(0)).intValue();
      return shared == 0 ? Match.NONE
          : new Match(shared, (Long) r.get(1) == 1, (Long) r.get(2) == 1, (Long) r.get(3));
    } catch (IOException e) {
      throw new UncheckedIOException("query store in Redis at " + pool + " unavailable: " + e.getMessage(), e);
    }
  }

  @Override
  public long size() {
    return (Long) call("ZCARD", prefix + ":entries");
  }

  /** An estimate: entries × S × {@value #BYTES_PER_POSTING} bytes (Redis's own accounting is per server). */
  @Override
  public long memoryBytes() {
    return size() * maxHashes * BYTES_PER_POSTING;
  }

  @Override
  public long alarms(String tenant) {
    Object v = call("HGET", prefix + ":alarms", tenant);
    return v == null ? 0 : Long.parseLong((String) v);
  }

  @Override
  public boolean blocking() {
    return true;
  }

  private Object call(String... cmd) {
    refuseOnEventLoop();
    try {
      return pool.call(cmd);
    } catch (IOException e) {
      throw new UncheckedIOException("query store in Redis at " + pool + " unavailable: " + e.getMessage(), e);
    }
  }

  private static void refuseOnEventLoop() {
    if (io.vertx.core.Context.isOnEventLoopThread()) {
      throw new IllegalStateException("the Redis query store blocks: call it from a worker thread");
    }
  }

  @Override
  public String toString() {
    return "RedisQueryStore{" + pool + ", " + prefix + "}";
  }
}
