package dev.warden.crypto.he.ckks;

import dev.warden.crypto.he.ring.Modulus;
import dev.warden.crypto.he.ring.RingContext;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import java.math.BigInteger;

/**
 * CKKS encoder: N/2 complex slots ↔ a real polynomial of degree &lt; N through the canonical embedding.
 *
 * <p>Slot j holds m(ζ^{5^j}) with ζ = e^{iπ/N}: the powers 5^j (mod 2N) are one orbit of the odd
 * residues, so the automorphism X → X^5 rotates the slots by one, and X → X^{−1} conjugates them. The
 * "special FFT" (Cheon–Han–Kim–Kim–Song 2018, HEAAN) evaluates/interpolates on this orbit in
 * O(N log N): decoding is a bit-reversed radix-2 FFT whose twiddle for a butterfly of size {@code len}
 * at offset j is ζ^{(5^j mod 4·len)·2N/(4·len)}; encoding is its inverse.
 *
 * <p>Encoding multiplies by the scale Δ and rounds. Coefficients with |Δ·z| &lt; 2^62 are reduced
 * directly; larger ones take a two-word path (mantissa × 2^exponent, each reduced modulo q_i), so any
 * finite double is encoded exactly as rounded. Decoding at level 0 reads the centred residue modulo q_0;
 * above level 0 it reconstructs the integer by CRT (slower; the safe decryption path decodes at level 0).
 *
 * <p>Holds scratch buffers: not thread-safe; use one per thread.
 */
public final class Encoder {
  private final Parameters params;
  private final RingContext ring;
  private final int n;
  private final int slots;
  private final int logSlots;
  private final int[] rotGroup;
  private final double[] cosT;
  private final double[] sinT;
  private final double[] re;
  private final double[] im;
  private final long[] coeff;

  public Encoder(Parameters params) {
    this.params = params;
    this.ring = params.ring();
    this.n = params.n();
    this.slots = n / 2;
    this.logSlots = Integer.numberOfTrailingZeros(slots);
    long m = 2L * n;
    rotGroup = new int[slots];
    long g = 1;
    for (int j = 0; j < slots; j++) {
      rotGroup[j] = (int) g;
      g = (g * 5) % m;
    }
    cosT = new double[(int) m + 1];
    sinT = new double[(int) m + 1];
    for (int k = 0; k <= m; k++) {
      double angle = 2 * Math.PI * k / m;
      cosT[k] = Math.cos(angle);
      sinT[k] = Math.sin(angle);
    }
    re = new double[slots];
    im = new double[slots];
    coeff = new long[n];
  }

  public Parameters parameters() {
    return params;
  }

  public int slots() {
    return slots;
  }

  /** Encodes real values (zero imaginary parts, missing slots zero). */
  public Plaintext encode(double[] values, int level, double scale) {
    return encode(values, null, level, scale);
  }

  /** Encodes complex values (re, im; im may be null) at the given level and scale. */
  public Plaintext encode(double[] realParts, double[] imagParts, int level, double scale) {
    if (realParts.length > slots || (imagParts != null && imagParts.length > slots)) {
      throw new IllegalArgumentException("at most " + slots + " values fit");
    }
    if (level < 0 || level > params.maxLevel()) {
      throw new IllegalArgumentException("level out of range: " + level);
    }
    int[] limbs = new int[level + 1];
    for (int l = 0; l <= level; l++) {
      limbs[l] = l;
    }
    return new Plaintext(encodeRns(realParts, imagParts, scale, limbs), level, scale);
  }

  /**
   * The encoding of the given values modulo the listed ring moduli (ring indices, e.g. the special
   * prime's for a plaintext extended to Q·P), NTT form, one limb per listed index.
   */
  long[][] encodeRns(double[] realParts, double[] imagParts, double scale, int[] ringIndices) {
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be a finite value >= 1");
    }
    java.util.Arrays.fill(re, 0);
    java.util.Arrays.fill(im, 0);
    System.arraycopy(realParts, 0, re, 0, realParts.length);
    if (imagParts != null) {
      System.arraycopy(imagParts, 0, im, 0, imagParts.length);
    }
    for (int i = 0; i < slots; i++) {
      if (!Double.isFinite(re[i]) || !Double.isFinite(im[i])) {
        throw new IllegalArgumentException("slot " + i + " is not finite");
      }
    }
    fftSpecialInv(re, im);
    long[][] poly = ring.newPoly(ringIndices.length);
    for (int i = 0; i < slots; i++) {
      putCoefficient(poly, ringIndices, i, re[i] * scale);
      putCoefficient(poly, ringIndices, i + slots, im[i] * scale);
    }
    for (int l = 0; l < ringIndices.length; l++) {
      ring.forward(poly[l], ringIndices[l]);
    }
    return poly;
  }

  /** Encodes the same constant in every slot (a constant polynomial: no FFT). */
  public Plaintext encodeConstant(double value, int level, double scale) {
    long[][] poly = ring.newPoly(level + 1);
    int[] limbs = new int[level + 1];
    for (int l = 0; l <= level; l++) {
      limbs[l] = l;
    }
    putCoefficient(poly, limbs, 0, value * scale);
    for (int l = 0; l <= level; l++) {
      ring.forward(poly[l], l);
    }
    return new Plaintext(poly, level, scale);
  }

  private void putCoefficient(long[][] poly, int[] limbs, int idx, double v) {
    double x = Math.rint(v);
    if (Math.abs(x) < 0x1p62) {
      long c = (long) x;
      for (int l = 0; l < limbs.length; l++) {
        long q = ring.modulus(limbs[l]).value();
        long r = c % q;
        poly[l][idx] = r + ((r >> 63) & q);
      }
    } else {
      if (!Double.isFinite(x)) {
        throw new IllegalArgumentException("scaled value overflows: " + v);
      }
      // two-word path: x = mant · 2^e exactly, |mant| < 2^53
      int e = Math.getExponent(x) - 52;
      long mant = (long) Math.scalb(x, -e);
      for (int l = 0; l < limbs.length; l++) {
        Modulus mq = ring.modulus(limbs[l]);
        long r = mq.reduce(mant);
        long p2 = mq.pow(2, e);
        poly[l][idx] = mq.mul(r, p2);
      }
    }
  }

  /** Decodes into re/im arrays of length ≥ slots (im may be null). */
  public void decode(Plaintext pt, double[] realOut, double[] imagOut) {
    int level = pt.level();
    double scale = pt.scale();
    if (level == 0) {
      System.arraycopy(pt.poly()[0], 0, coeff, 0, n);
      ring.inverse(coeff, 0);
      long q = ring.modulus(0).value();
      long half = q >>> 1;
      for (int i = 0; i < slots; i++) {
        long a = coeff[i];
        long b = coeff[i + slots];
        re[i] = (a > half ? a - q : a) / scale;
        im[i] = (b > half ? b - q : b) / scale;
      }
    } else {
      decodeCrt(pt, scale);
    }
    fftSpecial(re, im);
    System.arraycopy(re, 0, realOut, 0, Math.min(slots, realOut.length));
    if (imagOut != null) {
      System.arraycopy(im, 0, imagOut, 0, Math.min(slots, imagOut.length));
    }
  }

  /** Real parts of all slots. */
  public double[] decode(Plaintext pt) {
    double[] out = new double[slots];
    decode(pt, out, null);
    return out;
  }

  private void decodeCrt(Plaintext pt, double scale) {
    int level = pt.level();
    long[][] c = new long[level + 1][];
    BigInteger bigQ = BigInteger.ONE;
    for (int l = 0; l <= level; l++) {
      c[l] = pt.poly()[l].clone();
      ring.inverse(c[l], l);
      bigQ = bigQ.multiply(BigInteger.valueOf(ring.modulus(l).value()));
    }
    BigInteger[] basis = new BigInteger[level + 1];
    for (int l = 0; l <= level; l++) {
      BigInteger ql = BigInteger.valueOf(ring.modulus(l).value());
      BigInteger qHat = bigQ.divide(ql);
      basis[l] = qHat.multiply(qHat.modInverse(ql));
    }
    BigInteger half = bigQ.shiftRight(1);
    for (int i = 0; i < n; i++) {
      BigInteger acc = BigInteger.ZERO;
      for (int l = 0; l <= level; l++) {
        acc = acc.add(basis[l].multiply(BigInteger.valueOf(c[l][i])));
      }
      acc = acc.mod(bigQ);
      if (acc.compareTo(half) > 0) {
        acc = acc.subtract(bigQ);
      }
      double v = acc.doubleValue() / scale;
      if (i < slots) {
        re[i] = v;
      } else {
        im[i - slots] = v;
      }
    }
  }

  private void bitReverse(double[] a) {
    for (int i = 0, j = 0; i < slots; i++) {
      if (i < j) {
        double t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      int bit = slots >> 1;
      while (bit > 0 && (j & bit) != 0) {
        j ^= bit;
        bit >>= 1;
      }
      j |= bit;
    }
  }

  /** Evaluation on the 5^j orbit (decoding direction). */
  void fftSpecial(double[] vr, double[] vi) {
    bitReverse(vr);
    bitReverse(vi);
    int m = 2 * n;
    for (int len = 2; len <= slots; len <<= 1) {
      int lenh = len >> 1;
      int lenq = len << 2;
      int stride = m / lenq;
      for (int i = 0; i < slots; i += len) {
        for (int j = 0; j < lenh; j++) {
          int idx = (rotGroup[j] % lenq) * stride;
          double wr = cosT[idx];
          double wi = sinT[idx];
          int a = i + j;
          int b = a + lenh;
          double ur = vr[a];
          double ui = vi[a];
          double xr = vr[b] * wr - vi[b] * wi;
          double xi = vr[b] * wi + vi[b] * wr;
          vr[a] = ur + xr;
          vi[a] = ui + xi;
          vr[b] = ur - xr;
          vi[b] = ui - xi;
        }
      }
    }
  }

  /** Interpolation from the 5^j orbit (encoding direction), including the 1/slots normalisation. */
  void fftSpecialInv(double[] vr, double[] vi) {
    int m = 2 * n;
    for (int len = slots; len >= 2; len >>= 1) {
      int lenh = len >> 1;
      int lenq = len << 2;
      int stride = m / lenq;
      for (int i = 0; i < slots; i += len) {
        for (int j = 0; j < lenh; j++) {
          int idx = (lenq - (rotGroup[j] % lenq)) * stride;
          double wr = cosT[idx];
          double wi = sinT[idx];
          int a = i + j;
          int b = a + lenh;
          double ur = vr[a] + vr[b];
          double ui = vi[a] + vi[b];
          double dr = vr[a] - vr[b];
          double di = vi[a] - vi[b];
          vr[a] = ur;
          vi[a] = ui;
          vr[b] = dr * wr - di * wi;
          vi[b] = dr * wi + di * wr;
        }
      }
    }
    bitReverse(vr);
    bitReverse(vi);
    double inv = 1.0 / slots;
    for (int i = 0; i < slots; i++) {
      vr[i] *= inv;
      vi[i] *= inv;
    }
  }

  int logSlots() {
    return logSlots;
  }
}
