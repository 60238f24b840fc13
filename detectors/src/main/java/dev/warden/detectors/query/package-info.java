/**
 * Blacklight-style detection of query-based black-box attacks (Li et al., USENIX Security 2022).
 *
 * <p>{@link dev.warden.detectors.query.Fingerprinter} turns a query into at most S keyed window
 * hashes (salted quantisation with one scalar secret salt, windows w / stride p, SipHash-2-4 under a
 * secret key, top-S); {@link dev.warden.detectors.query.QueryStore} (embedded:
 * {@link dev.warden.detectors.query.InMemoryQueryStore}, primitive-array inverted index, bounded by
 * capacity and TTL, one store for all tenants, per-tenant alarm counters) flags a query sharing at
 * least T hashes with a stored one. Per input schema pick
 * {@link dev.warden.detectors.query.FingerprintParams} ({@code DIGITS_8X8} for the demo,
 * {@code IMAGE_0_255}/{@code IMAGE_0_1} for 28x28 and larger images).
 * <pre>{@code
 * Fingerprinter fp = Fingerprinter.create(FingerprintParams.DIGITS_8X8);      // one per process / schema
 * QueryStore store = InMemoryQueryStore.create(100_000, FingerprintParams.DIGITS_8X8, Duration.ofHours(1));
 * QueryStore.Match m = store.checkAndAdd(tenant, fp.fingerprint(pixels), FingerprintParams.DIGITS_8X8.threshold());
 * }</pre>
 * Measured on the 1797 digits (distinct images streamed once): at most one image flagged
 * (≤ 0.06 %) for any salt; Square attacks are flagged on their second query.
 */
package dev.warden.detectors.query;
