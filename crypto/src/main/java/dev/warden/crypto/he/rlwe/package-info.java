/**
 * Layer 2: RLWE with an RNS modulus chain and one special prime.
 *
 * <p>{@link dev.warden.crypto.he.rlwe.Parameters} — checked against the HomomorphicEncryption.org
 * 128-bit table at construction; presets {@code CKKS_128_LOGN13_LOGQP200} and
 * {@code CKKS_128_LOGN14_LOGQP320}; {@code insecureToyForTesting} for tests only.
 * {@link dev.warden.crypto.he.rlwe.KeyGenerator} (secret, public, relinearisation and Galois keys),
 * {@link dev.warden.crypto.he.rlwe.Encryptor} (secret-key with seeded, half-size ciphertexts, or
 * public-key), {@link dev.warden.crypto.he.rlwe.Decryptor} (raw; use the CKKS
 * {@code SafeDecryptor} when the ciphertext comes from someone else),
 * {@link dev.warden.crypto.he.rlwe.KeySwitcher} (decompose / apply, hoisting) and
 * {@link dev.warden.crypto.he.rlwe.Serialization} (versioned, fingerprinted, bounds-checked binary).
 *
 * <h2>Security guarantees</h2>
 * Keys and ciphertexts made with secure parameters are RLWE samples at the 128-bit level; all secret
 * randomness comes from the caller's {@link java.security.SecureRandom}. Encryption is IND-CPA, not
 * IND-CPA-D: see {@code crypto/SECURITY-he.md}.
 */
package dev.warden.crypto.he.rlwe;
