package dev.warden.crypto.he.ckks;

import dev.warden.crypto.he.ring.Prng;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Decryptor;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import dev.warden.crypto.he.rlwe.SecretKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decryption for a key holder who receives ciphertexts from an untrusted evaluator (the gateway decrypting
 * the HE backend's answers).
 *
 * <p>Why: CKKS decryption returns the message plus the ciphertext noise, and that noise is a linear
 * function of the secret key; an adversary who sees decrypted values of ciphertexts it computed (or
 * crafted) can solve for the key (Li–Micciancio, EUROCRYPT 2021: IND-CPA-D). This class applies, in order:
 * <ol>
 *   <li><b>Shape check</b> before the secret key is touched: degree 1, exactly the expected level, scale
 *       within 2^-20 relative of the expected scale. A crafted ciphertext of another shape is refused.</li>
 *   <li><b>Key-use counter</b>: every accepted decryption counts; past {@code rotateAfter} the result
 *       says rotation is due, past {@code hardLimit} decryption is refused until the key is replaced.</li>
 *   <li><b>Lowest level</b>: drops to level 0 (discarding limbs is free and leaks nothing), so only
 *       q_0 bits of the phase are computed and decoded.</li>
 *   <li><b>Noise flooding</b> (Li–Micciancio–Schultz–Sorrell, CRYPTO 2022): adds fresh Gaussian noise to
 *       the decrypted polynomial with σ = 2^{s/2}·(declared error bound)·Δ/√N, s the statistical security
 *       parameter, so that the released values are statistically close (2^-s per query, up to the declared
 *       bound being correct) to values independent of the evaluation noise.</li>
 *   <li><b>Slot masking</b>: only the declared output slots are decoded and returned; all others never
 *       leave this object.</li>
 *   <li><b>Rounding</b> of each released value to a multiple of 2^-{@code outputBits}.</li>
 * </ol>
 * The flooding noise costs about s/2 bits of precision: with error bound 2^-20 and s = 30 the released
 * values carry ≈ 2^-5 error — enough for class scores; choose s and the bound per application
 * (SECURITY-he.md).
 *
 * <h2>Security guarantees</h2>
 * With flooding on and a correct error bound, what leaves is IND-CPA-D-safe in the sense of LMSS 2022 for
 * the number of queries the key-use limit allows. Without flooding ({@link Builder#noFlooding()}) only the
 * shape checks, masking and rounding apply: do that only if the evaluator is trusted. No integrity:
 * a well-shaped ciphertext of a different computation is not detected (CKKS gives no circuit privacy and
 * no authenticity). Thread-safe counter; decryption itself is synchronized.
 */
public final class SafeDecryptor {
  private final Parameters params;
  private final Decryptor decryptor;
  private final Encoder encoder;
  private final int expectedLevel;
  private final double expectedScale;
  private final int[] outputSlots;
  private final int statisticalSecurity;
  private final double errorBound;
  private final int outputBits;
  private final long rotateAfter;
  private final long hardLimit;
  private final AtomicLong uses;
  private final SecureRandom random;

  private SafeDecryptor(Builder b) {
    this.params = b.sk.parameters();
    this.decryptor = new Decryptor(b.sk);
    this.encoder = new Encoder(params);
    this.expectedLevel = b.expectedLevel;
    this.expectedScale = b.expectedScale;
    this.outputSlots = b.outputSlots.clone();
    this.statisticalSecurity = b.statisticalSecurity;
    this.errorBound = b.errorBound;
    this.outputBits = b.outputBits;
    this.rotateAfter = b.rotateAfter;
    this.hardLimit = b.hardLimit;
    this.uses = b.counter;
    this.random = b.random;
  }

  public static Builder builder(SecretKey sk, SecureRandom random) {
    return new Builder(sk, random);
  }

  /** The result of one decryption: the released values and the key-use bookkeeping. */
  public static final class Result {
    private final double[] values;
    private final long keyUses;
    private final boolean rotationDue;

    Result(double[] values, long keyUses, boolean rotationDue) {
      this.values = values;
      this.keyUses = keyUses;
      this.rotationDue = rotationDue;
    }

    /** Values of the declared output slots, in declaration order. */
    public double[] values() {
      return values.clone();
    }

    public long keyUses() {
      return keyUses;
    }

    /** True once the key has been used more than the rotation threshold: generate new keys soon. */
    public boolean rotationDue() {
      return rotationDue;
    }
  }

  /** Thrown when the key-use hard limit is reached: replace the key pair before decrypting again. */
  public static final class KeyExhaustedException extends IllegalStateException {
    KeyExhaustedException(long limit) {
      super("secret key used " + limit + " times: rotate keys before decrypting again");
    }
  }

  /**
   * Checks, then decrypts and releases the declared slots.
   *
   * @throws IllegalArgumentException if the ciphertext does not have the expected shape (the key is not used)
   * @throws KeyExhaustedException past the hard limit
   */
  public synchronized Result decrypt(Ciphertext ct) {
    Objects.requireNonNull(ct, "ciphertext");
    if (ct.size() != 2) {
      throw new IllegalArgumentException("refused: ciphertext of size " + ct.size() + ", expected 2");
    }
    if (ct.level() != expectedLevel) {
      throw new IllegalArgumentException("refused: ciphertext at level " + ct.level() + ", expected " + expectedLevel);
    }
    if (!(Math.abs(ct.scale() - expectedScale) <= 0x1p-20 * expectedScale)) {
      throw new IllegalArgumentException(String.format("refused: scale 2^%.3f, expected 2^%.3f",
          Math.log(ct.scale()) / Math.log(2), Math.log(expectedScale) / Math.log(2)));
    }
    for (int d = 0; d < 2; d++) {
      long[][] p = ct.poly(d);
      for (int i = 0; i <= ct.level(); i++) {
        if (p[i] == null || p[i].length != params.n()) {
          throw new IllegalArgumentException("refused: malformed polynomial " + d + " limb " + i);
        }
      }
    }
    long n = uses.incrementAndGet();
    if (n > hardLimit) {
      throw new KeyExhaustedException(hardLimit);
    }
    // lowest level: keep limb 0 only
    Ciphertext low = new Ciphertext(new long[][][] {{ct.poly(0)[0].clone()}, {ct.poly(1)[0].clone()}}, 0, ct.scale());
    Plaintext pt = decryptor.decrypt(low);
    if (statisticalSecurity > 0) {
      flood(pt);
    }
    double[] all = encoder.decode(pt);
    double[] out = new double[outputSlots.length];
    double unit = Math.scalb(1.0, -outputBits);
    for (int i = 0; i < outputSlots.length; i++) {
      out[i] = Math.rint(all[outputSlots[i]] / unit) * unit;
    }
    Arrays.fill(all, 0);
    return new Result(out, n, n > rotateAfter);
  }

  /** Number of decryptions performed with this key so far. */
  public long keyUses() {
    return uses.get();
  }

  private void flood(Plaintext pt) {
    RingContext ring = params.ring();
    int n = params.n();
    double sigma = Math.scalb(1.0, statisticalSecurity / 2) * (statisticalSecurity % 2 == 1 ? Math.sqrt(2) : 1)
        * errorBound * pt.scale() / Math.sqrt(n);
    if (sigma < 1) {
      sigma = 1;
    }
    Prng prng = Prng.fromSecureRandom(random);
    long[] noise = new long[n];
    for (int k = 0; k < n; k += 2) {
      // Box–Muller on 53-bit uniforms from the AES-CTR stream
      double u1 = ((prng.nextLong() >>> 11) + 1) * 0x1p-53;
      double u2 = (prng.nextLong() >>> 11) * 0x1p-53;
      double r = sigma * Math.sqrt(-2 * Math.log(u1));
      long a = Math.round(r * Math.cos(2 * Math.PI * u2));
      long b = Math.round(r * Math.sin(2 * Math.PI * u2));
      noise[k] = ring.modulus(0).reduce(a);
      noise[k + 1] = ring.modulus(0).reduce(b);
    }
    ring.forward(noise, 0);
    ring.add(pt.poly()[0], noise, pt.poly()[0], 0);
  }

  /** Configuration; every option has a closed default. */
  public static final class Builder {
    private final SecretKey sk;
    private final SecureRandom random;
    private int expectedLevel = -1;
    private double expectedScale = -1;
    private int[] outputSlots;
    private int statisticalSecurity = 30;
    private double errorBound = 0x1p-20;
    private int outputBits = 16;
    private long rotateAfter = 1L << 20;
    private long hardLimit = 1L << 24;
    private AtomicLong counter = new AtomicLong();

    Builder(SecretKey sk, SecureRandom random) {
      this.sk = Objects.requireNonNull(sk);
      this.random = Objects.requireNonNull(random, "SecureRandom required");
    }

    /** The level and scale the evaluator's answer must have (e.g. from the compiled circuit). */
    public Builder expect(int level, double scale) {
      if (level < 0 || level > sk.parameters().maxLevel() || !(scale >= 1)) {
        throw new IllegalArgumentException("invalid expected level/scale");
      }
      this.expectedLevel = level;
      this.expectedScale = scale;
      return this;
    }

    /** Slots whose values may be released (all others are masked). */
    public Builder outputSlots(int... slots) {
      for (int s : slots) {
        if (s < 0 || s >= sk.parameters().slots()) {
          throw new IllegalArgumentException("slot out of range: " + s);
        }
      }
      this.outputSlots = slots.clone();
      return this;
    }

    /**
     * Noise flooding with statistical security s bits (default 30) for a circuit whose output error is at
     * most {@code errorBound} (absolute, in slot units; default 2^-20).
     */
    public Builder flooding(int statisticalSecurityBits, double errorBound) {
      if (statisticalSecurityBits < 1 || statisticalSecurityBits > 128 || !(errorBound > 0)) {
        throw new IllegalArgumentException("invalid flooding parameters");
      }
      this.statisticalSecurity = statisticalSecurityBits;
      this.errorBound = errorBound;
      return this;
    }

    /** Turns flooding off: only for evaluators that are trusted (name says it). */
    public Builder noFlooding() {
      this.statisticalSecurity = 0;
      return this;
    }

    /** Released values are rounded to multiples of 2^-bits (default 16). */
    public Builder outputBits(int bits) {
      if (bits < 0 || bits > 40) {
        throw new IllegalArgumentException("output bits must be in [0, 40]");
      }
      this.outputBits = bits;
      return this;
    }

    /**
     * Key-use thresholds: {@link Result#rotationDue()} after {@code rotateAfter} uses, refusal after
     * {@code hardLimit}; {@code counter} may be shared by several decryptors of the same key.
     */
    public Builder keyUseLimits(long rotateAfter, long hardLimit, AtomicLong counter) {
      if (rotateAfter < 1 || hardLimit < rotateAfter) {
        throw new IllegalArgumentException("need 1 <= rotateAfter <= hardLimit");
      }
      this.rotateAfter = rotateAfter;
      this.hardLimit = hardLimit;
      this.counter = Objects.requireNonNull(counter);
      return this;
    }

    public SafeDecryptor build() {
      if (expectedLevel < 0) {
        throw new IllegalStateException("expect(level, scale) is required");
      }
      if (outputSlots == null || outputSlots.length == 0) {
        throw new IllegalStateException("outputSlots(...) is required");
      }
      return new SafeDecryptor(this);
    }
  }
}
