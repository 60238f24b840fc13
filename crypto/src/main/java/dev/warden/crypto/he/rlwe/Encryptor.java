package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Prng;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.ring.Sampler;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Secret-key or public-key RLWE encryption of a {@link Plaintext} (NTT form) at the plaintext's level.
 *
 * <ul>
 *   <li>Secret key: c_1 = a (uniform, expanded from a fresh 32-byte seed, which the ciphertext keeps so it
 *       serialises at half size), c_0 = −a·s + e + m.</li>
 *   <li>Public key (b, a): c_0 = b·u + e_0 + m, c_1 = a·u + e_1 with u ternary.</li>
 * </ul>
 *
 * <h2>Security guarantees</h2>
 * IND-CPA under RLWE for the parameters' security level; all randomness from the given SecureRandom.
 * No integrity: a ciphertext can be modified undetectably (malleability is what makes HE useful); see
 * SECURITY-he.md for decryption-side safety. Not thread-safe: use one encryptor per thread.
 */
public final class Encryptor {
  private final Parameters params;
  private final RingContext ring;
  private final SecureRandom random;
  private final Sampler sampler;
  private final SecretKey sk;
  private final PublicKey pk;
  private final int[] small;
  private final long[] tmp;

  private Encryptor(Parameters params, SecretKey sk, PublicKey pk, SecureRandom random) {
    this.params = params;
    this.ring = params.ring();
    this.sk = sk;
    this.pk = pk;
    this.random = Objects.requireNonNull(random, "SecureRandom required");
    this.sampler = new Sampler(ring, Distributions.SIGMA);
    this.small = new int[ring.n()];
    this.tmp = new long[ring.n()];
  }

  public static Encryptor withSecretKey(SecretKey sk, SecureRandom random) {
    return new Encryptor(sk.parameters(), sk, null, random);
  }

  public static Encryptor withPublicKey(PublicKey pk, SecureRandom random) {
    return new Encryptor(pk.parameters(), null, pk, random);
  }

  public Parameters parameters() {
    return params;
  }

  public Ciphertext encrypt(Plaintext pt) {
    Ciphertext ct = Ciphertext.allocate(ring.n(), 1, pt.level(), pt.scale());
    encrypt(pt, ct);
    return ct;
  }

  /** Encrypts into a caller-owned degree-1 ciphertext at the plaintext's level. */
  public void encrypt(Plaintext pt, Ciphertext out) {
    if (out.size() != 2 || out.level() != pt.level()) {
      throw new IllegalArgumentException("output ciphertext shape does not match the plaintext level");
    }
    out.setScale(pt.scale());
    if (sk != null) {
      encryptSk(pt, out);
    } else {
      encryptPk(pt, out);
    }
  }

  private void addSmall(long[][] dst, Prng prng, boolean ternary, int level) {
    if (ternary) {
      sampler.ternary(prng, small);
    } else {
      sampler.gaussian(prng, small);
    }
    for (int i = 0; i <= level; i++) {
      long q = ring.modulus(i).value();
      for (int k = 0; k < small.length; k++) {
        int c = small[k];
        tmp[k] = c + ((long) (c >> 31) & q);
      }
      ring.forward(tmp, i);
      ring.add(dst[i], tmp, dst[i], i);
    }
  }

  private void encryptSk(Plaintext pt, Ciphertext out) {
    int level = pt.level();
    byte[] seed = Prng.newSeed(random);
    long[][] a = Expand.uniform(ring, seed, Expand.range(0, level, -1));
    long[][] s = sk.ntt();
    long[][] c0 = out.poly(0);
    long[][] c1 = out.poly(1);
    for (int i = 0; i <= level; i++) {
      ring.mul(a[i], s[i], tmp, i);
      ring.sub(pt.poly()[i], tmp, c0[i], i);
      System.arraycopy(a[i], 0, c1[i], 0, a[i].length);
    }
    addSmall(c0, Prng.fromSecureRandom(random), false, level);
    out.setSeed(seed);
  }

  private void encryptPk(Plaintext pt, Ciphertext out) {
    int level = pt.level();
    Prng prng = Prng.fromSecureRandom(random);
    sampler.ternary(prng, small);
    long[][] u = ring.newPoly(level + 1);
    int[] mods = Expand.range(0, level, -1);
    sampler.toRns(small, u, mods);
    long[][] c0 = out.poly(0);
    long[][] c1 = out.poly(1);
    for (int i = 0; i <= level; i++) {
      ring.forward(u[i], i);
      ring.mul(pk.b()[i], u[i], c0[i], i);
      ring.add(c0[i], pt.poly()[i], c0[i], i);
      ring.mul(pk.a()[i], u[i], c1[i], i);
    }
    addSmall(c0, prng, false, level);
    addSmall(c1, prng, false, level);
    out.setSeed(null);
  }
}
