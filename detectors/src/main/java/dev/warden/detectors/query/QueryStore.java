package dev.warden.detectors.query;

/**
 * The query-attack store: remembers recent query fingerprints of all tenants and says whether a new
 * one is too close to a stored one. One store is shared by every tenant of a deployment, because
 * attackers spread a query stream across accounts; alarms are still counted per tenant.
 *
 * <p>The embedded implementation is {@link InMemoryQueryStore}; a Redis-backed one for several
 * replicas implements this same interface (every replica must then use the same
 * {@link Fingerprinter} secrets).
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>A query whose fingerprint shares at least {@code threshold} hashes with one stored within
 *       the retention window (and not yet evicted by the size bound) is reported as flagged, no
 *       matter which tenant sent the earlier one.</li>
 *   <li>Every checked fingerprint is stored (flagged ones too), so an attack stream keeps matching
 *       itself.</li>
 *   <li>Not guaranteed: detection of streams slower than the retention window or larger than the
 *       capacity, nor of adaptive attacks that add enough noise to move every window across a
 *       quantisation boundary (Blacklight's stated limit).</li>
 * </ul>
 */
public interface QueryStore {
  /**
   * Compares {@code fingerprint} with the stored ones, then stores it.
   *
   * @param tenant the authenticated tenant (for alarm counters and the audit record)
   * @param fingerprint distinct hashes, ascending, as made by {@link Fingerprinter}
   * @param threshold the number of shared hashes that flags
   */
  Match checkAndAdd(String tenant, long[] fingerprint, int threshold);

  /** Number of fingerprints currently stored. */
  long size();

  /** Approximate memory the store holds, in bytes. */
  long memoryBytes();

  /** Alarms (flagged queries) counted for {@code tenant} since start. */
  long alarms(String tenant);

  /** Whether calls may block on I/O (e.g. a remote store): such stores are never called on an event loop. */
  default boolean blocking() { return false; }

  /**
   * The outcome of one check.
   *
   * @param sharedHashes hashes shared with the closest stored fingerprint (0 when none)
   * @param flagged whether {@code sharedHashes >= threshold}
   * @param crossTenant whether the closest stored fingerprint came from another tenant
   * @param matchAgeMillis age of the closest stored fingerprint, or -1
   */
  record Match(int sharedHashes, boolean flagged, boolean crossTenant, long matchAgeMillis) {
    /** No stored fingerprint shares a hash. */
    public static final Match NONE = new Match(0, false, false, -1);
  }
}
