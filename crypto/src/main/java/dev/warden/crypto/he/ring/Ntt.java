package dev.warden.crypto.he.ring;

/**
 * Negacyclic number-theoretic transform over Z_q[X]/(X^N + 1) for one prime q ≡ 1 mod 2N.
 *
 * <p>Design (Longa–Naehrig 2016; Harvey 2014, "Faster arithmetic for number-theoretic transforms"):
 * <ul>
 *   <li>ψ-twisted: with ψ a primitive 2N-th root, the powers of ψ are merged into the twiddles, so the
 *       transform evaluates a(X) at the odd powers ψ^(2k+1) — the roots of X^N + 1 — and a product of
 *       transforms is the negacyclic product, with no pre/post scaling pass.</li>
 *   <li>Forward: Cooley–Tukey butterflies, natural order in, bit-reversed order out; inverse:
 *       Gentleman–Sande, bit-reversed in, natural out. Twiddles are stored in bit-reversed order so each
 *       layer reads them sequentially.</li>
 *   <li>Harvey's lazy butterflies keep values in [0, 4q) (forward) / [0, 2q) (inverse) and use Shoup
 *       multiplication; only the final pass reduces to [0, q). This needs 4q &lt; 2^63, hence q &lt; 2^61.</li>
 *   <li>N⁻¹ is folded into the last inverse layer (its two twiddles are pre-multiplied by N⁻¹).</li>
 * </ul>
 * Cost: (N/2)·log2 N butterflies, each one Shoup multiplication. Output index k of the forward transform
 * holds a(ψ^(2·brv(k)+1)), which {@link RingContext#automorphismNttIndex} uses to apply X → X^g as a
 * permutation.
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class Ntt {
  private final int n;
  private final int logN;
  private final Modulus modulus;
  private final long q;
  private final long psi;
  private final long[] rootPowers; // ψ^brv(i), i in [0, N)
  private final long[] rootPowersShoup;
  private final long[] invRootPowers; // ψ^-brv(i)
  private final long[] invRootPowersShoup;
  private final long nInv;
  private final long nInvShoup;
  private final long lastInvW; // ψ^-brv(1)·N^-1
  private final long lastInvWShoup;

  public Ntt(Modulus modulus, int logN) {
    this.modulus = modulus;
    this.q = modulus.value();
    this.logN = logN;
    this.n = 1 << logN;
    this.psi = Primes.primitive2NthRoot(q, logN);
    long psiInv = modulus.inv(psi);
    rootPowers = new long[n];
    rootPowersShoup = new long[n];
    invRootPowers = new long[n];
    invRootPowersShoup = new long[n];
    long p = 1;
    long pi = 1;
    long[] pw = new long[n];
    long[] ipw = new long[n];
    for (int i = 0; i < n; i++) {
      pw[i] = p;
      ipw[i] = pi;
      p = modulus.mul(p, psi);
      pi = modulus.mul(pi, psiInv);
    }
    for (int i = 0; i < n; i++) {
      int r = bitReverse(i, logN);
      rootPowers[i] = pw[r];
      rootPowersShoup[i] = modulus.shoup(pw[r]);
      invRootPowers[i] = ipw[r];
      invRootPowersShoup[i] = modulus.shoup(ipw[r]);
    }
    nInv = modulus.inv(n);
    nInvShoup = modulus.shoup(nInv);
    lastInvW = modulus.mul(invRootPowers[1], nInv);
    lastInvWShoup = modulus.shoup(lastInvW);
  }

  public static int bitReverse(int x, int bits) {
    return bits == 0 ? 0 : Integer.reverse(x) >>> (32 - bits);
  }

  public Modulus modulus() {
    return modulus;
  }

  public long psi() {
    return psi;
  }

  /** In place: coefficients in [0, q) → evaluations (bit-reversed order) in [0, q). */
  public void forward(long[] a) {
    forwardLazy(a);
    long twoQ = 2 * q;
    for (int i = 0; i < n; i++) {
      long x = a[i];
      x = Modulus.reduceOnce(x, twoQ);
      a[i] = Modulus.reduceOnce(x, q);
    }
  }

  /** In place forward transform with output in [0, 4q); input must be in [0, 4q)... of which [0, q) is typical. */
  public void forwardLazy(long[] a) {
    final long q = this.q;
    final long twoQ = 2 * q;
    int t = n;
    for (int m = 1; m < n; m <<= 1) {
      t >>= 1;
      for (int i = 0; i < m; i++) {
        final int j1 = 2 * i * t;
        final int j2 = j1 + t;
        final long w = rootPowers[m + i];
        final long ws = rootPowersShoup[m + i];
        for (int j = j1; j < j2; j++) {
          long x = a[j];
          x = Modulus.reduceOnce(x, twoQ);
          long y = a[j + t];
          long quot = Math.multiplyHigh(y, ws) + ((ws >> 63) & y);
          long v = y * w - quot * q; // [0, 2q)
          a[j] = x + v;
          a[j + t] = x - v + twoQ;
        }
      }
    }
  }

  /** In place: evaluations (bit-reversed) in [0, 2q) → coefficients in [0, q). */
  public void inverse(long[] a) {
    final long q = this.q;
    final long twoQ = 2 * q;
    int t = 1;
    for (int m = n; m > 2; m >>= 1) {
      int j1 = 0;
      int h = m >> 1;
      for (int i = 0; i < h; i++) {
        final int j2 = j1 + t;
        final long w = invRootPowers[h + i];
        final long ws = invRootPowersShoup[h + i];
        for (int j = j1; j < j2; j++) {
          long u = a[j];
          long v = a[j + t];
          a[j] = Modulus.reduceOnce(u + v, twoQ);
          long d = u - v + twoQ;
          long quot = Math.multiplyHigh(d, ws) + ((ws >> 63) & d);
          a[j + t] = d * w - quot * q;
        }
        j1 += 2 * t;
      }
      t <<= 1;
    }
    // last layer (m = 2, t = N/2) with N^-1 folded into both outputs
    final int half = n >> 1;
    final long ni = nInv;
    final long nis = nInvShoup;
    final long lw = lastInvW;
    final long lws = lastInvWShoup;
    for (int j = 0; j < half; j++) {
      long u = a[j];
      long v = a[j + half];
      long s = u + v; // < 4q
      long d = u - v + twoQ;
      long q1 = Math.multiplyHigh(s, nis) + ((nis >> 63) & s);
      long r1 = s * ni - q1 * q;
      long q2 = Math.multiplyHigh(d, lws) + ((lws >> 63) & d);
      long r2 = d * lw - q2 * q;
      a[j] = Modulus.reduceOnce(r1, q);
      a[j + half] = Modulus.reduceOnce(r2, q);
    }
  }

  int logN() {
    return logN;
  }
}
