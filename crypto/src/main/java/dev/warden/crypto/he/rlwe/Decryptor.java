package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.RingContext;

/**
 * Raw RLWE decryption m = Σ c_i·s^i (NTT form). This is the primitive; the CKKS layer's
 * {@code SafeDecryptor} adds the checks and noise flooding a key holder facing an untrusted evaluator
 * needs (IND-CPA-D). Not thread-safe.
 */
public final class Decryptor {
  private final SecretKey sk;
  private final RingContext ring;
  private final long[] tmp;

  public Decryptor(SecretKey sk) {
    this.sk = sk;
    this.ring = sk.parameters().ring();
    this.tmp = new long[ring.n()];
  }

  public Parameters parameters() {
    return sk.parameters();
  }

  public Plaintext decrypt(Ciphertext ct) {
    int level = ct.level();
    if (level > sk.parameters().maxLevel()) {
      throw new IllegalArgumentException("ciphertext level " + level + " above the parameters' maximum");
    }
    long[][] s = sk.ntt();
    long[][] m = ring.newPoly(level + 1);
    for (int i = 0; i <= level; i++) {
      long[] acc = m[i];
      // Horner: ((c_d·s + c_{d−1})·s + …) + c_0
      System.arraycopy(ct.poly(ct.size() - 1)[i], 0, acc, 0, acc.length);
      for (int d = ct.size() - 2; d >= 0; d--) {
        ring.mul(acc, s[i], tmp, i);
        ring.add(tmp, ct.poly(d)[i], acc, i);
      }
    }
    return new Plaintext(m, level, ct.scale());
  }
}
