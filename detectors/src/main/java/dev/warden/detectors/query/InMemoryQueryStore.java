package dev.warden.detectors.query;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The embedded {@link QueryStore}: a ring of fingerprint slots and an inverted index from hash to the
 * slots holding it, all in primitive arrays.
 *
 * <p><b>Layout.</b> Slot {@code s} holds up to S hashes; entry {@code (s, k)} is node
 * {@code s*S + k} of a doubly linked posting list per hash (arrays {@code next}/{@code prev}), with
 * the list heads in a {@link LongIntMultiIndex}. New entries go to the list heads, so each list runs
 * newest first. Memory is allocated once: about {@code 24 S + 24} bytes per slot plus the hash table
 * ({@code 16} bytes a table slot, at most half full).
 *
 * <p><b>Check.</b> For each of the query's hashes, walk the newest nodes of its list and count hits
 * per slot; the best count is the match. The walk is bounded twice: at most {@link #MAX_WALK} nodes
 * per hash and at most {@link #MAX_STEPS} in all, shared out shortest list first, so rare
 * (discriminating) hashes are always counted in full and hashes common to many inputs (blank image
 * regions, or a long attack stream, where every list is long) are counted over their newest
 * entries only. The price: a match with an older entry through common hashes only can be missed.
 * Without the total bound an attack stream made a check walk 50 x 256 postings, about 0.6 ms of
 * cache misses.
 *
 * <p><b>Bounds.</b> Entries expire after the TTL and the oldest is evicted when the ring is full;
 * eviction unlinks its nodes (O(S)). A check evicts at most {@link #MAX_EXPIRED_PER_CHECK} expired
 * entries (after an idle hour a full ring would otherwise be unlinked in one call, milliseconds on a
 * request thread); expired entries still linked are skipped by the walk (lists run newest first, so
 * the walk stops at the first). One lock guards the store: a check costs a few microseconds, with a
 * worst case bounded by S x MAX_WALK postings, which is why it may run on an event loop. The one
 * unbounded step is the index doubling when distinct hashes outgrow it (at most a few times in a
 * store's life, never at steady state).
 * Time is injected ({@code clockMillis}) so tests control expiry.
 */
public final class InMemoryQueryStore implements QueryStore {
  /** Newest posting nodes inspected per hash per check: bounds the cost of very common hashes. */
  public static final int MAX_WALK = 256;
  /**
   * Postings inspected per check in all (on average the newest ~40 per hash). Measured trade-off on
   * the digits evaluation: 2048 flags 95 % of NES queries, 1024 only 90 % (probes of one estimate
   * then miss each other behind earlier runs' entries), with no gain measurable through the gateway
   * on a loaded machine.
   */
  public static final int MAX_STEPS = 2048;
  /** Expired entries evicted per check: more than the one a check adds, so a backlog drains. */
  static final int MAX_EXPIRED_PER_CHECK = 8;

  private final int capacity;
  private final int maxS;
  private final long ttlMillis;
  private final LongSupplier clock;

  private final long[] nodeHash;
  private final int[] next;
  private final int[] prev;
  private final int[] slotLen;
  private final long[] slotTime;
  private final int[] slotTenant;
  private final LongIntMultiIndex index;
  private final int[] counts;
  private final int[] touched;
  private final long[] order;

  private int oldest;     // slot of the oldest live entry
  private int live;       // live entries

  private final Map<String, Integer> tenantIds = new ConcurrentHashMap<>();
  private final Map<Integer, String> tenantNames = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> alarms = new ConcurrentHashMap<>();

  /**
   * @param capacity largest number of stored fingerprints
   * @param maxHashes largest fingerprint length accepted (S)
   * @param ttlMillis retention of a fingerprint
   * @param clockMillis current time in milliseconds (e.g. {@code System::currentTimeMillis})
   */
  public InMemoryQueryStore(int capacity, int maxHashes, long ttlMillis, LongSupplier clockMillis) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
    if (maxHashes < 1) throw new IllegalArgumentException("maxHashes must be positive");
    if ((long) capacity * maxHashes > Integer.MAX_VALUE) throw new IllegalArgumentException("capacity * maxHashes too large");
    if (ttlMillis <= 0) throw new IllegalArgumentException("ttlMillis must be positive");
    this.capacity = capacity;
    this.maxS = maxHashes;
    this.ttlMillis = ttlMillis;
    this.clock = java.util.Objects.requireNonNull(clockMillis, "clockMillis");
    int nodes = capacity * maxHashes;
    nodeHash = new long[nodes];
    next = new int[nodes];
    prev = new int[nodes];
    slotLen = new int[capacity];
    slotTime = new long[capacity];
    slotTenant = new int[capacity];
    index = new LongIntMultiIndex(Math.min(nodes, 1 << 20));
    counts = new int[capacity];
    touched = new int[Math.min(capacity, MAX_STEPS)];
    order = new long[maxHashes];
  }

  /** A store of {@code capacity} fingerprints of at most {@code params.hashes()} hashes, wall clock. */
  public static InMemoryQueryStore create(int capacity, FingerprintParams params, java.time.Duration ttl) {
    return new InMemoryQueryStore(capacity, params.hashes(), ttl.toMillis(), System::currentTimeMillis);
  }

  @Override
  public synchronized Match checkAndAdd(String tenant, long[] fingerprint, int threshold) {
    java.util.Objects.requireNonNull(tenant, "tenant");
    if (fingerprint.length > maxS) {
      throw new IllegalArgumentException("fingerprint has " + fingerprint.length + " hashes, store holds at most " + maxS);
    }
    long now = clock.getAsLong();
    expire(now);
    int tenantId = tenantIds.computeIfAbsent(tenant, t -> {
      int id = tenantIds.size();
      tenantNames.put(id, t);
      return id;
    });

    // count shared hashes per stored slot
    int nTouched = 0;
    int n = fingerprint.length;
    for (int k = 0; k < n; k++) order[k] = ((long) index.length(key(fingerprint[k])) << 32) | k;
    java.util.Arrays.sort(order, 0, n); // shortest lists first
    int budget = MAX_STEPS;
    for (int r = 0; r < n; r++) {
      long h = key(fingerprint[(int) order[r]]);
      int allowance = Math.min(MAX_WALK, budget / (n - r));
      int node = index.head(h);
      int steps = 0;
      for (; node >= 0 && steps < allowance; steps++) {
        int slot = node / maxS;
        if (now - slotTime[slot] >= ttlMillis) break; // expired, not yet evicted; the rest is older
        if (counts[slot]++ == 0) touched[nTouched++] = slot;
        node = next[node];
      }
      budget -= steps;
    }
    int best = 0;
    int bestSlot = -1;
    for (int i = 0; i < nTouched; i++) {
      int s = touched[i];
      if (counts[s] > best || (counts[s] == best && bestSlot >= 0 && slotTime[s] > slotTime[bestSlot])) {
        best = counts[s];
        bestSlot = s;
      }
      counts[s] = 0;
    }
    Match m;
    if (bestSlot < 0) {
      m = Match.NONE;
    } else {
      m = new Match(best, best >= threshold, slotTenant[bestSlot] != tenantId, now - slotTime[bestSlot]);
    }
    if (m.flagged()) alarms.computeIfAbsent(tenant, t -> new LongAdder()).increment();
    add(tenantId, fingerprint, now);
    return m;
  }

  private void add(int tenantId, long[] fp, long now) {
    if (live == capacity) evictOldest();
    int slot = (oldest + live) % capacity;
    live++;
    slotLen[slot] = fp.length;
    slotTime[slot] = now;
    slotTenant[slot] = tenantId;
    int base = slot * maxS;
    for (int k = 0; k < fp.length; k++) {
      long h = key(fp[k]);
      int node = base + k;
      nodeHash[node] = h;
      int head = index.head(h);
      next[node] = head;
      prev[node] = -1;
      if (head >= 0) prev[head] = node;
      index.update(h, node, 1);
    }
  }

  private void expire(long now) {
    for (int k = 0; k < MAX_EXPIRED_PER_CHECK && live > 0 && now - slotTime[oldest] >= ttlMillis; k++) evictOldest();
  }

  private void evictOldest() {
    int slot = oldest;
    int base = slot * maxS;
    for (int k = 0; k < slotLen[slot]; k++) {
      int node = base + k;
      long h = nodeHash[node];
      int p = prev[node];
      int nx = next[node];
      if (nx >= 0) prev[nx] = p;
      if (p >= 0) {
        next[p] = nx;
        index.update(h, index.head(h), -1);
      } else {
        index.update(h, nx, -1);
      }
    }
    slotLen[slot] = 0;
    oldest = (oldest + 1) % capacity;
    live--;
  }

  private static long key(long h) { return h == 0 ? 1 : h; }

  @Override
  public synchronized long size() { return live; }

  @Override
  public synchronized long memoryBytes() {
    long perNode = 8 + 4 + 4;
    long perSlot = 4 + 8 + 4 + 4;
    return (long) capacity * maxS * perNode + (long) capacity * perSlot + touched.length * 4L + index.memoryBytes();
  }

  /** Distinct hashes currently indexed (for tests and metrics). */
  public synchronized int indexedHashes() { return index.size(); }

  @Override
  public long alarms(String tenant) {
    LongAdder a = alarms.get(tenant);
    return a == null ? 0 : a.sum();
  }

  /** All tenants' alarm counters (a snapshot), for metrics. */
  public Map<String, Long> alarmCounts() {
    Map<String, Long> m = new java.util.TreeMap<>();
    alarms.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Removes every stored fingerprint (alarm counters stay). */
  public synchronized void clear() {
    while (live > 0) evictOldest();
  }
}
