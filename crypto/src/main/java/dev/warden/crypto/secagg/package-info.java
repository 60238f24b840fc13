/**
 * Secure aggregation for federated learning: SecAgg+ (Bell et al., CCS 2020) on top of the double-masking
 * protocol of Bonawitz et al. (CCS 2017), in plain Java with Bouncy Castle, transport-agnostic (bytes in,
 * bytes out). The server learns the sum of the surviving clients' vectors and nothing else about any one of
 * them, even when clients drop out mid-round.
 *
 * <h2>Public API</h2>
 * <ul>
 *   <li>{@link dev.warden.crypto.secagg.RoundSpec} — what the policy says (cohort with Ed25519 keys, minimum
 *       survivors, vector length, dropout/corruption fractions, timeouts, readers, encoding).
 *   <li>{@link dev.warden.crypto.secagg.RoundCoordinator} — the server: one method per {@code /v1/fl/...}
 *       endpoint, persisted per round in a hash-chained journal, per-phase deadlines on an injected clock.
 *   <li>{@link dev.warden.crypto.secagg.SecAggClient} / {@link dev.warden.crypto.secagg.SecAggServer} — the
 *       protocol state machines for one round.
 *   <li>{@link dev.warden.crypto.secagg.FlHttpClient} and {@code cli.FlClientCommand} — what an organisation
 *       runs ({@code warden fl-client keygen|join|verify}).
 *   <li>{@link dev.warden.crypto.secagg.FixedPointEncoding} (clip, stochastic rounding, ring choice, mean and
 *       weighted-mean decoding), {@link dev.warden.crypto.secagg.DistributedDp} (distributed discrete
 *       Gaussian, (ε, δ) of a round), {@link dev.warden.crypto.secagg.ThresholdParameters} and
 *       {@link dev.warden.crypto.secagg.NeighbourGraph} (k and t from n, δ, γ).
 *   <li>{@link dev.warden.crypto.secagg.SecAggException} — every refusal, with a stable
 *       {@link dev.warden.crypto.secagg.SecAggException.Code}.
 * </ul>
 *
 * <h2>Internals (package-private)</h2>
 * {@code Primitives} (X25519, HKDF-SHA256, AES-256-GCM, AES-256-CTR mask expansion), {@code Shamir}
 * (t-of-n over GF(2^61 − 1), five chunks per 32-byte secret), {@code Messages} (canonical encodings and
 * signing), {@code RoundJournal} (persistence), {@code ByteReader}/{@code ByteWriter}.
 *
 * <p>Threat model, round diagram, parameter derivation and formats: {@code crypto/SECURITY-secagg.md}.
 */
package dev.warden.crypto.secagg;
