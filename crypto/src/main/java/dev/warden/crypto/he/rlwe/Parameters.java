package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Primes;
import dev.warden.crypto.he.ring.RingContext;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checked, immutable RLWE/CKKS parameters: ring degree N = 2^logN, the ciphertext modulus chain
 * q_0..q_L (level ℓ uses q_0..q_ℓ), one special prime P for key switching, and the default scale Δ.
 *
 * <p>The only ways to obtain an instance are the named 128-bit presets, {@link #secure128} (which refuses
 * any set whose log2(Q·P) exceeds the HomomorphicEncryption.org 128-bit bound for N, special prime
 * included) and {@link #insecureToyForTesting}, whose name makes every use greppable.
 *
 * <h2>Security guarantees</h2>
 * Parameters built by the presets or {@link #secure128} meet the HE standard's 128-bit classical bound for a
 * uniform ternary secret and σ = 3.2 ({@link Distributions}). Nothing is guaranteed for toy parameters.
 */
public final class Parameters {
  /** N = 8192, log2(QP) ≈ 200 ({60, 40, 40} + special 60), scale 2^40: depth 2. */
  public static final Parameters CKKS_128_LOGN13_LOGQP200 = secure128(13, new int[] {60, 40, 40}, 60, 40);
  /** N = 16384, log2(QP) ≈ 320 ({60, 40×5} + special 60), scale 2^40: depth 5. */
  public static final Parameters CKKS_128_LOGN14_LOGQP320 =
      secure128(14, new int[] {60, 40, 40, 40, 40, 40}, 60, 40);

  private final int logN;
  private final long[] q;
  private final long p;
  private final double defaultScale;
  private final boolean secure;
  private final double logQP;
  private final byte[] fingerprint;
  private volatile RingContext ring;

  private Parameters(int logN, int[] logQ, int logP, int logScale, boolean secure) {
    if (logN < 3 || logN > 16) {
      throw new IllegalArgumentException("logN must be in [3, 16]: " + logN);
    }
    if (logQ.length < 1 || logQ.length > 60) {
      throw new IllegalArgumentException("modulus chain must have 1..60 primes: " + logQ.length);
    }
    if (logScale < 1 || logScale > 60) {
      throw new IllegalArgumentException("log2 scale must be in [1, 60]: " + logScale);
    }
    List<Long> used = new ArrayList<>();
    for (int lq : logQ) {
      if (lq > logP) {
        throw new IllegalArgumentException("special prime (" + logP + " bits) must not be smaller than a chain prime ("
            + lq + " bits)");
      }
    }
    // the special prime is picked first, so it is the largest prime of its size
    this.p = Primes.generate(logP, logN, 1, used)[0];
    used.add(p);
    this.q = new long[logQ.length];
    for (int i = 0; i < logQ.length; i++) {
      q[i] = Primes.generate(logQ[i], logN, 1, used)[0];
      used.add(q[i]);
    }
    this.logN = logN;
    this.defaultScale = Math.scalb(1.0, logScale);
    double lqp = Math.log(p) / Math.log(2);
    for (long qi : q) {
      lqp += Math.log(qi) / Math.log(2);
    }
    this.logQP = lqp;
    this.secure = secure;
    if (secure) {
      int max = SecurityTable.maxLogQP128(logN);
      if (max < 0) {
        throw new IllegalArgumentException("the HE standard gives no 128-bit bound for N = 2^" + logN);
      }
      if (lqp > max) {
        throw new IllegalArgumentException(String.format(
            "insecure parameters: log2(Q·P) = %.1f exceeds the 128-bit bound %d for N = 2^%d", lqp, max, logN));
      }
    }
    this.fingerprint = computeFingerprint();
  }

  /**
   * Parameters checked against the 128-bit table.
   *
   * @param logQ bit sizes of the chain primes q_0..q_L (q_0 first: it must hold the decrypted message)
   * @param logP bit size of the special prime (≥ every chain prime)
   * @param logScale log2 of the default scale Δ
   * @throws IllegalArgumentException if the set is weaker than 128 bits or malformed
   */
  public static Parameters secure128(int logN, int[] logQ, int logP, int logScale) {
    return new Parameters(logN, logQ.clone(), logP, logScale, true);
  }

  /** Toy sizes for tests only: NO security. The name is the warning. */
  public static Parameters insecureToyForTesting(int logN, int[] logQ, int logP, int logScale) {
    return new Parameters(logN, logQ.clone(), logP, logScale, false);
  }

  public int logN() {
    return logN;
  }

  public int n() {
    return 1 << logN;
  }

  /** Number of complex slots N/2. */
  public int slots() {
    return 1 << (logN - 1);
  }

  /** Highest level L (the chain has L+1 primes). */
  public int maxLevel() {
    return q.length - 1;
  }

  public long q(int i) {
    return q[i];
  }

  public long specialPrime() {
    return p;
  }

  /** Index of the special prime in {@link #ring()}. */
  public int specialIndex() {
    return q.length;
  }

  public double defaultScale() {
    return defaultScale;
  }

  public boolean isSecure() {
    return secure;
  }

  public double logQP() {
    return logQP;
  }

  /** SHA-256 (first 16 bytes) over N, every modulus and the scale: serialised objects carry it. */
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  boolean sameFingerprint(byte[] other) {
    return MessageDigest.isEqual(fingerprint, other);
  }

  /** Ring over q_0..q_L, P (special prime last, at {@link #specialIndex()}). */
  public RingContext ring() {
    RingContext r = ring;
    if (r == null) {
      synchronized (this) {
        r = ring;
        if (r == null) {
          long[] all = Arrays.copyOf(q, q.length + 1);
          all[q.length] = p;
          r = new RingContext(logN, all);
          ring = r;
        }
      }
    }
    return r;
  }

  private byte[] computeFingerprint() {
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * (q.length + 1) + 8 + 8);
    b.putInt(logN);
    for (long qi : q) {
      b.putLong(qi);
    }
    b.putLong(p);
    b.putDouble(defaultScale);
    b.putDouble(Distributions.SIGMA);
    try {
      return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(b.array()), 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Parameters && MessageDigest.isEqual(fingerprint, ((Parameters) o).fingerprint);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    return String.format("Parameters(N=2^%d, L=%d, log2QP=%.1f, scale=2^%d, %s)", logN, maxLevel(), logQP,
        Math.getExponent(defaultScale), secure ? "128-bit" : "INSECURE toy");
  }
}
