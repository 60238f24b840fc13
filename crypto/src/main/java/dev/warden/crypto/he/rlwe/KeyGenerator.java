package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Prng;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.ring.Sampler;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Generates the secret key, public key, relinearisation key and Galois keys.
 *
 * <h2>Security guarantees</h2>
 * All secret randomness comes from the {@link SecureRandom} passed in (expanded with AES-CTR, see
 * {@link Prng}); the public uniform parts come from fresh 32-byte seeds drawn from it. Keys are RLWE
 * samples with a uniform ternary secret and σ = 3.2 errors, secure under the parameters' 128-bit bound.
 * Not thread-safe (one generator per thread); the keys it returns are immutable.
 */
public final class KeyGenerator {
  private final Parameters params;
  private final RingContext ring;
  private final SecureRandom random;
  private final Sampler sampler;

  public KeyGenerator(Parameters params, SecureRandom random) {
    this.params = Objects.requireNonNull(params);
    this.random = Objects.requireNonNull(random, "SecureRandom required");
    this.ring = params.ring();
    this.sampler = new Sampler(ring, Distributions.SIGMA);
  }

  /** Galois element 5^steps mod 2N of a left rotation by {@code steps} slots (negative: right). */
  public static long rotationGaloisElement(Parameters params, int steps) {
    int slots = params.slots();
    int k = Math.floorMod(steps, slots);
    long m = 2L * params.n();
    long g = 1;
    long base = 5;
    while (k > 0) {
      if ((k & 1) != 0) {
        g = (g * base) % m;
      }
      base = (base * base) % m;
      k >>= 1;
    }
    return g;
  }

  /** Galois element 2N − 1 of complex conjugation of the slots. */
  public static long conjugationGaloisElement(Parameters params) {
    return 2L * params.n() - 1;
  }

  private int[] allMods() {
    return Expand.range(0, params.maxLevel(), params.specialIndex());
  }

  /** Small signed polynomial (ternary or Gaussian) to NTT form over the listed moduli. */
  long[][] smallToNtt(int[] coeffs, int[] mods) {
    long[][] p = ring.newPoly(mods.length);
    sampler.toRns(coeffs, p, mods);
    for (int l = 0; l < mods.length; l++) {
      ring.forward(p[l], mods[l]);
    }
    return p;
  }

  public SecretKey genSecretKey() {
    int[] s = new int[ring.n()];
    sampler.ternary(Prng.fromSecureRandom(random), s);
    long[][] sk = smallToNtt(s, allMods());
    java.util.Arrays.fill(s, 0);
    return new SecretKey(params, sk);
  }

  public PublicKey genPublicKey(SecretKey sk) {
    checkParams(sk);
    int[] mods = Expand.range(0, params.maxLevel(), -1);
    byte[] seed = Prng.newSeed(random);
    long[][] a = Expand.uniform(ring, seed, mods);
    int[] e = new int[ring.n()];
    sampler.gaussian(Prng.fromSecureRandom(random), e);
    long[][] b = smallToNtt(e, mods);
    long[][] s = sk.ntt();
    long[] tmp = new long[ring.n()];
    for (int i = 0; i < mods.length; i++) {
      ring.mul(a[i], s[i], tmp, i);
      ring.sub(b[i], tmp, b[i], i); // b = e − a·s
    }
    return new PublicKey(params, b, a, seed);
  }

  public SwitchingKey genRelinKey(SecretKey sk) {
    checkParams(sk);
    long[][] s = sk.ntt();
    long[][] s2 = ring.newPoly(s.length);
    int[] mods = allMods();
    for (int i = 0; i < mods.length; i++) {
      ring.mul(s[i], s[i], s2[i], mods[i]);
    }
    return genSwitchingKey(sk, s2, 0);
  }

  public SwitchingKey genGaloisKey(SecretKey sk, long galoisElement) {
    checkParams(sk);
    long[][] s = sk.ntt();
    int[] idx = ring.automorphismNttIndex(galoisElement);
    long[][] sg = ring.newPoly(s.length);
    for (int i = 0; i < s.length; i++) {
      ring.automorphismNtt(s[i], idx, sg[i]);
    }
    return genSwitchingKey(sk, sg, galoisElement);
  }

  /** Relinearisation key (if {@code relin}) and Galois keys for the given rotation steps (and conjugation). */
  public EvaluationKeys genEvaluationKeys(SecretKey sk, boolean relin, Collection<Integer> rotationSteps,
      boolean conjugation) {
    Map<Long, SwitchingKey> g = new LinkedHashMap<>();
    for (int step : rotationSteps) {
      long el = rotationGaloisElement(params, step);
      if (el != 1 && !g.containsKey(el)) {
        g.put(el, genGaloisKey(sk, el));
      }
    }
    if (conjugation) {
      long el = conjugationGaloisElement(params);
      g.put(el, genGaloisKey(sk, el));
    }
    return new EvaluationKeys(params, relin ? genRelinKey(sk) : null, g);
  }

  private SwitchingKey genSwitchingKey(SecretKey sk, long[][] sPrime, long galoisElement) {
    int digits = params.maxLevel() + 1;
    int[] mods = allMods();
    byte[] seed = Prng.newSeed(random);
    long[][][] a = Expand.uniformMany(ring, seed, digits, mods);
    long[][][] b = new long[digits][][];
    long[][] s = sk.ntt();
    Prng prng = Prng.fromSecureRandom(random);
    int[] e = new int[ring.n()];
    long[] tmp = new long[ring.n()];
    long pMod;
    for (int j = 0; j < digits; j++) {
      sampler.gaussian(prng, e);
      b[j] = smallToNtt(e, mods);
      for (int i = 0; i < mods.length; i++) {
        ring.mul(a[j][i], s[i], tmp, mods[i]);
        ring.sub(b[j][i], tmp, b[j][i], mods[i]);
      }
      // gadget: + (P mod q_j)·s' on limb j only
      pMod = ring.modulus(j).reduce(params.specialPrime());
      ring.mulScalar(sPrime[j], pMod, tmp, j);
      ring.add(b[j][j], tmp, b[j][j], j);
    }
    java.util.Arrays.fill(e, 0);
    return new SwitchingKey(params, galoisElement, b, a, seed);
  }

  private void checkParams(SecretKey sk) {
    if (!sk.parameters().equals(params)) {
      throw new IllegalArgumentException("secret key belongs to other parameters");
    }
  }
}
