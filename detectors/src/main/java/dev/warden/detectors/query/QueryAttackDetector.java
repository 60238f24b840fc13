package dev.warden.detectors.query;

import dev.warden.detectors.screen.Detection;
import dev.warden.detectors.screen.Detector;
import dev.warden.detectors.screen.ScreenInput;
import java.util.Objects;

/**
 * The query-attack screen: fingerprints the request's first numeric tensor and checks it against the
 * shared {@link QueryStore}. Score = shared hashes / the largest fingerprint length (S per view);
 * the default threshold is T over that length. Stateful, so
 * never cached.
 */
public final class QueryAttackDetector implements Detector {
  private final Fingerprinter fingerprinter;
  private final QueryStore store;

  public QueryAttackDetector(Fingerprinter fingerprinter, QueryStore store) {
    this.fingerprinter = Objects.requireNonNull(fingerprinter, "fingerprinter");
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override public String name() { return "query-store"; }

  @Override public double defaultThreshold() {
    FingerprintParams p = fingerprinter.params();
    return (double) p.threshold() / p.hashes();
  }

  @Override public boolean cacheable() { return false; }

  /**
   * Inline unless the store blocks. Bounded: the fingerprint costs O(n w / p) with no allocation but
   * the result (about 8 ns per value: 6 µs for 784 values, less per value than the JSON parse the
   * event loop already did for the same request, and n is capped by the body size limit); an
   * embedded store's check-and-add walks at most {@link InMemoryQueryStore#MAX_STEPS} postings,
   * evicts a bounded number of entries and holds its lock only for that.
   */
  @Override public boolean inline() { return !store.blocking(); }

  @Override public boolean accepts(ScreenInput input) { return input.hasTensors(); }

  @Override
  public Detection detect(ScreenInput input, double threshold) {
    int s = fingerprinter.params().hashes();
    int t = Math.max(1, (int) Math.ceil(threshold * s - 1e-9));
    QueryStore.Match m = store.checkAndAdd(input.tenant(), fingerprinter.fingerprint(input.firstNumericTensor()), t);
    String reason = m.sharedHashes() == 0 ? "no similar earlier query"
        : "shares " + m.sharedHashes() + "/" + s + " hashes with a query " + m.matchAgeMillis() + " ms old"
            + (m.crossTenant() ? " from another tenant" : "");
    return new Detection((double) m.sharedHashes() / s, m.flagged(), reason);
  }

  /** The store (for metrics: size, memory, alarms). */
  public QueryStore store() { return store; }
}
