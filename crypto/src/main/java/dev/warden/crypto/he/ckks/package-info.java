/**
 * Layer 3: the CKKS scheme (approximate arithmetic on N/2 complex slots).
 *
 * <p>{@link dev.warden.crypto.he.ckks.Encoder} (canonical embedding, scale Δ),
 * {@link dev.warden.crypto.he.ckks.Evaluator} (add, sub, ct×pt, ct×ct, relinearise, rescale, level
 * alignment, rotations, conjugation, slot sums; one evaluator per thread),
 * {@link dev.warden.crypto.he.ckks.LinearTransform} (BSGS diagonal matrix–vector product with hoisting)
 * and {@link dev.warden.crypto.he.ckks.SafeDecryptor} (shape check, lowest level, noise flooding,
 * masking, rounding, key-use counter).
 *
 * <pre>{@code
 * Parameters p = Parameters.CKKS_128_LOGN13_LOGQP200;
 * SecureRandom rnd = new SecureRandom();
 * KeyGenerator kg = new KeyGenerator(p, rnd);
 * SecretKey sk = kg.genSecretKey();
 * EvaluationKeys evk = kg.genEvaluationKeys(sk, true, List.of(1), false);
 * Encoder enc = new Encoder(p);
 * Ciphertext x = Encryptor.withSecretKey(sk, rnd).encrypt(enc.encode(new double[] {1, 2, 3}, p.maxLevel(), p.defaultScale()));
 * Evaluator ev = new Evaluator(p, evk);
 * Ciphertext y = ev.rotate(ev.multiplyRelinRescale(x, x), 1);       // slots: 4, 9, 0, …
 * SafeDecryptor dec = SafeDecryptor.builder(sk, rnd).expect(y.level(), y.scale()).outputSlots(0, 1).build();
 * double[] out = dec.decrypt(y).values();                            // ≈ {4, 9}
 * }</pre>
 */
package dev.warden.crypto.he.ckks;
