/**
 * Layer 1 of Warden's RNS-CKKS: arithmetic in Z_q[X]/(X^N + 1) for word-sized NTT primes.
 *
 * <p>{@link dev.warden.crypto.he.ring.Modulus} (Shoup and Barrett reduction, unsigned high word from
 * {@code Math.multiplyHigh}), {@link dev.warden.crypto.he.ring.Primes} (q ≡ 1 mod 2N below 2^61),
 * {@link dev.warden.crypto.he.ring.Ntt} (ψ-twisted negacyclic NTT, Harvey lazy butterflies),
 * {@link dev.warden.crypto.he.ring.RingContext} (RNS polynomials as {@code long[][]}, element-wise
 * operations, automorphisms in the NTT domain), {@link dev.warden.crypto.he.ring.Prng} (AES-256-CTR
 * stream from a 32-byte seed) and {@link dev.warden.crypto.he.ring.Sampler} (uniform, ternary,
 * discrete Gaussian).
 *
 * <p>Layering (held by a test): {@code ring → rlwe → ckks → inference}; this package imports none of
 * the others.
 */
package dev.warden.crypto.he.ring;
