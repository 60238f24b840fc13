/**
 * Differential privacy for Warden: exact discrete noise, mechanisms on model outputs, zCDP accounting and a
 * crash-safe budget ledger. No Vert.x, no floating point inside a sampler.
 *
 * <h2>Samplers (public, used by secure aggregation too)</h2>
 * <ul>
 *   <li>{@link dev.warden.crypto.dp.DiscreteGaussianSampler} — N_ℤ(0, σ²) for an exact rational σ²
 *       ({@code withSigmaSquared(Rational)}, {@code withSigma(long)}, and {@code withSigmaAtLeast(double)} when σ
 *       comes from a double: rounds σ² up to a small dyadic rational and keeps the fast path); {@code sample()},
 *       {@code sample(long[])}, {@code sampleBig()}.</li>
 *   <li>{@link dev.warden.crypto.dp.DiscreteLaplaceSampler} — P(x) ∝ exp(−|x|/b) ({@code withScale(Rational)}).</li>
 *   <li>{@link dev.warden.crypto.dp.IntegerNoiseSampler} — the common interface.</li>
 *   <li>{@link dev.warden.crypto.dp.Rational} — exact non-negative rationals for parameters
 *       ({@code Rational.of(400)}, {@code Rational.parse("2/3")}, {@code Rational.of(BigDecimal)}).</li>
 * </ul>
 * All samplers implement Canonne–Kamath–Steinke (NeurIPS 2020) with integer arithmetic only and draw their
 * bits from a per-thread {@code SecureRandom} DRBG (SP 800-90A Hash_DRBG, 256-bit). Samplers are immutable and
 * thread-safe. Seeded, <b>insecure</b> samplers for reproducible tests exist only in the test tree:
 * {@code dev.warden.crypto.dp.InsecureTestSamplers} (crypto module tests may use it from any package).
 *
 * <h2>Mechanisms (the gateway's privacy stage)</h2>
 * <ul>
 *   <li>{@link dev.warden.crypto.dp.NumericMechanismParams} (validated policy values: Gaussian with ρ or Laplace
 *       with ε, clamping bounds, declared L2/L1 sensitivity, presets for probability vectors with L2 = √2) →
 *       {@link dev.warden.crypto.dp.NumericMechanism#create}; {@code startPool(capacity)} gives the route's
 *       {@link dev.warden.crypto.dp.NoisePool}; {@code apply(values, pool[, Precision.FLOAT32])} returns a
 *       {@link dev.warden.crypto.dp.NoisyOutput}; {@code cost()} is the {@link dev.warden.crypto.dp.PrivacyCost}
 *       to debit first.</li>
 *   <li>{@link dev.warden.crypto.dp.ExponentialMechanism} — label-only release ({@code select(scores)}).</li>
 *   <li>{@link dev.warden.crypto.dp.NonPrivateCoarsening} — top-k and rounding; heuristics, <b>not DP</b>.</li>
 * </ul>
 *
 * <h2>Accounting and ledger</h2>
 * <ul>
 *   <li>{@link dev.warden.crypto.dp.Zcdp} — ρ ↔ (ε, δ) conversions (simple and improved).</li>
 *   <li>{@link dev.warden.crypto.dp.PrivacyBudget#ofEpsilonDelta} — a cap in ρ micro-units;
 *       {@link dev.warden.crypto.dp.ModelBudgetPolicy} — per-tenant and global caps of one model.</li>
 *   <li>{@link dev.warden.crypto.dp.PrivacyLedger} — {@code debit(requestId, tenant, model, cost)} (or
 *       {@code reserve} + {@code awaitDurable} to overlap the fsync with the model call) returns a
 *       {@link dev.warden.crypto.dp.DebitReceipt} or throws {@link dev.warden.crypto.dp.PrivacyBudgetExhaustedException}
 *       / {@link dev.warden.crypto.dp.PrivacyLedgerUnavailableException}; implementations
 *       {@link dev.warden.crypto.dp.JournalPrivacyLedger} (embedded, fsync'd journal) and
 *       {@link dev.warden.crypto.dp.RedisPrivacyLedger} (several replicas; own RESP client, no Netty).</li>
 *   <li>{@link dev.warden.crypto.dp.NoisyResponseCache} — same noisy answer for a repeated identical request, free.</li>
 * </ul>
 *
 * <h2>Security guarantees</h2>
 * The sampled distributions are exact. Sampling time depends on the value drawn; wherever latency is
 * observable, draw noise ahead of time through a {@link dev.warden.crypto.dp.NoisePool}. See
 * {@code crypto/SECURITY-dp.md} for what the mechanisms do and do not guarantee.
 */
package dev.warden.crypto.dp;
