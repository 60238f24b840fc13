package dev.warden.detectors.query;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Blacklight's probabilistic fingerprint of one query (Li et al., "Blacklight: Scalable Defense
 * for Neural Networks against Query-Based Black-Box Attacks", USENIX Security 2022).
 *
 * <p><b>What.</b> The input is quantised with one secret scalar salt ({@code floor((x + salt) /
 * step)}), cut into sliding windows of {@code w} values at stride {@code p}, each window hashed with
 * a keyed 64-bit PRF (SipHash-2-4 under a secret 128-bit key), and the {@code S} largest distinct
 * hashes form the fingerprint. Two queries that differ only by a small perturbation share most
 * windows, so their fingerprints overlap heavily; two distinct natural inputs share few.
 *
 * <p><b>Why these choices.</b> A single scalar salt (not a per-position one: a per-position salt
 * raised benign false positives to about 10 % in a reproduction) keeps an attacker who does not
 * know it from aligning perturbations with quantisation boundaries. The keyed hash stops offline
 * search for inputs whose windows collide with (or avoid) stored ones. Top-S of a keyed hash is a
 * uniform random sample of the distinct windows, the same sample for both queries (a MinHash-like
 * estimator of their window-set overlap).
 *
 * <p><b>Two views (optional, {@link FingerprintParams#denoiseWidth()}).</b> Dense random probes
 * (NES estimates gradients with Gaussian noise on every value) move enough values across a
 * quantisation boundary that most w-value windows change: on the 8x8 digits a third of NES probes
 * shared fewer than T of S hashes with any earlier query. The second view fingerprints the 3x3
 * neighbourhood mean of the image (rows of {@code denoiseWidth}) under a separate key: averaging 9
 * values divides independent per-value noise by up to 3 while a natural image's strokes survive, so
 * the probes of one gradient estimate keep most of their denoised windows. The fingerprint is the
 * union (up to 2S hashes) and the threshold counts shared hashes over both views, so a query needs
 * agreement in the raw detail and in the smoothed shape together; smoothing alone makes distinct
 * digits more alike, which is why the threshold was set on benign digits (see DIGITS_8X8). Sparse
 * edits (Square's patches, HopSkipJump's steps) keep the raw view's match and most of the smoothed
 * one.
 *
 * <p><b>Cost.</b> One pass to quantise, {@code (n - w)/p + 1} PRF calls of {@code ceil(w/2)}
 * words, one sort of the window hashes: O(n w / p) with no allocation after warm-up (per-thread
 * scratch). 784 values with (w 20, p 10): 77 windows. The denoised view doubles that and adds 9
 * additions per value.
 *
 * <p>Thread-safe.
 */
public final class Fingerprinter {
  /** Domain word of the denoised view's key derivation ("denoised" in ASCII). */
  private static final long DENOISED_DOMAIN = 0x64656e6f69736564L;
  private final FingerprintParams params;
  private final float salt;
  private final SipHash prf;
  /** The denoised view's PRF, keyed from the main key (domain separation: its hashes never meet the raw view's). */
  private final SipHash denoisedPrf;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  private Fingerprinter(FingerprintParams params, float salt, long k0, long k1) {
    this.params = Objects.requireNonNull(params, "params");
    this.salt = salt;
    this.prf = new SipHash(k0, k1);
    this.denoisedPrf = new SipHash(prf.hash(new long[] {DENOISED_DOMAIN, 0}, 0, 2), prf.hash(new long[] {DENOISED_DOMAIN, 1}, 0, 2));
  }

  /** A fingerprinter with a fresh secret salt and hash key from {@link SecureRandom}. */
  public static Fingerprinter create(FingerprintParams params) {
    SecureRandom r = new SecureRandom();
    return new Fingerprinter(params, r.nextFloat() * params.saltRange() * params.step(), r.nextLong(), r.nextLong());
  }

  /**
   * A fingerprinter with explicit secrets, for tests and for replicas that must share one store
   * (all replicas need the same salt and key). {@code salt} must lie in {@code [0, step)}.
   */
  public static Fingerprinter withSecrets(FingerprintParams params, float salt, long k0, long k1) {
    if (!(salt >= 0 && salt < params.step())) throw new IllegalArgumentException("salt must be in [0, step)");
    return new Fingerprinter(params, salt, k0, k1);
  }

  /** The parameters. */
  public FingerprintParams params() { return params; }

  /**
   * The fingerprint of {@code x}: at most {@link FingerprintParams#hashes()} distinct keyed window
   * hashes, ascending (S of the raw view, and S of the denoised view when it is on).
   *
   * @throws IllegalArgumentException if {@code x} is empty or holds a non-finite value
   */
  public long[] fingerprint(float[] x) {
    int n = x.length;
    if (n == 0) throw new IllegalArgumentException("cannot fingerprint an empty input");
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(x[i])) throw new IllegalArgumentException("input value " + i + " is not finite");
    }
    Scratch s = scratch.get();
    long[] out = s.top(params.hashes());
    int taken = topHashes(x, prf, s, out, 0);
    int width = params.denoiseWidth();
    if (width > 0 && n % width == 0) {
      taken += topHashes(boxMean3x3(x, width, s.denoised(n)), denoisedPrf, s, out, taken);
    }
    Arrays.sort(out, 0, taken);
    int distinct = 0;
    for (int i = 0; i < taken; i++) {
      if (distinct == 0 || out[i] != out[distinct - 1]) out[distinct++] = out[i];
    }
    return Arrays.copyOf(out, distinct);
  }

  /** Quantises {@code x}, hashes its windows with {@code h}, writes the S largest distinct hashes at {@code out[from..]}. */
  private int topHashes(float[] x, SipHash h, Scratch s, long[] out, int from) {
    int n = x.length;
    int w = Math.min(params.window(), n);
    int words = (w + 1) / 2;
    int windows = params.windows(n);
    int[] q = s.quantised(n);
    float inv = 1f / params.step();
    for (int i = 0; i < n; i++) q[i] = (int) Math.floor((x[i] + salt) * inv);
    long[] packed = s.packed(words);
    long[] hashes = s.hashes(windows);
    int stride = params.stride();
    for (int k = 0; k < windows; k++) {
      int start = k * stride;
      for (int j = 0; j < words; j++) {
        int a = start + 2 * j;
        long lo = q[a] & 0xFFFFFFFFL;
        long hi = (2 * j + 1 < w) ? ((long) q[a + 1]) << 32 : 0L;
        packed[j] = hi | lo;
      }
      hashes[k] = h.hash(packed, 0, words);
    }
    Arrays.sort(hashes, 0, windows);
    int topS = params.topS();
    int taken = 0;
    for (int k = windows - 1; k >= 0 && taken < topS; k--) {
      if (taken > 0 && hashes[k] == out[from + taken - 1]) continue;
      out[from + taken++] = hashes[k];
    }
    return taken;
  }

  /**
   * The mean of each value's 3x3 neighbourhood (clipped at the borders) in rows of {@code width}:
   * independent per-value noise shrinks by up to 3 (the mean of 9), a natural image's strokes stay.
   */
  static float[] boxMean3x3(float[] x, int width, float[] out) {
    int rows = x.length / width;
    for (int r = 0; r < rows; r++) {
      int r0 = Math.max(0, r - 1);
      int r1 = Math.min(rows - 1, r + 1);
      for (int c = 0; c < width; c++) {
        int c0 = Math.max(0, c - 1);
        int c1 = Math.min(width - 1, c + 1);
        float sum = 0;
        for (int rr = r0; rr <= r1; rr++) {
          int base = rr * width;
          for (int cc = c0; cc <= c1; cc++) sum += x[base + cc];
        }
        out[r * width + c] = sum / ((r1 - r0 + 1) * (c1 - c0 + 1));
      }
    }
    return out;
  }

  @Override
  public String toString() { return "Fingerprinter[" + params + "]"; } // no salt, no key

  private static final class Scratch {
    int[] q = new int[0];
    long[] packed = new long[0];
    long[] hashes = new long[0];
    long[] top = new long[0];
    float[] denoised = new float[0];

    float[] denoised(int n) { if (denoised.length < n) denoised = new float[n]; return denoised; }

    int[] quantised(int n) { if (q.length < n) q = new int[n]; return q; }

    long[] packed(int n) { if (packed.length < n) packed = new long[n]; return packed; }

    long[] hashes(int n) { if (hashes.length < n) hashes = new long[n]; return hashes; }

    long[] top(int n) { if (top.length < n) top = new long[n]; return top; }
  }
}
