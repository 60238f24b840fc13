package dev.warden.detectors.query;

import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Fingerprint of a text for near-duplicate detection: NFKC + lower case, split into word tokens
 * (letters and digits), every run of {@code k} consecutive tokens (a shingle) hashed with keyed
 * SipHash-2-4, the {@code S} largest distinct hashes kept (a bottom-k MinHash sketch). Two prompts
 * that differ by a few edited words share most shingles. Thread-safe.
 */
public final class ShingleFingerprinter {
  private final int k;
  private final int topS;
  private final SipHash prf;

  private ShingleFingerprinter(int k, int topS, long k0, long k1) {
    if (k < 1 || topS < 1) throw new IllegalArgumentException("k and topS must be positive");
    this.k = k;
    this.topS = topS;
    this.prf = new SipHash(k0, k1);
  }

  /** With a fresh secret key. */
  public static ShingleFingerprinter create(int shingle, int topS) {
    SecureRandom r = new SecureRandom();
    return new ShingleFingerprinter(shingle, topS, r.nextLong(), r.nextLong());
  }

  /** With explicit secrets (tests; replicas sharing a store). */
  public static ShingleFingerprinter withSecrets(int shingle, int topS, long k0, long k1) {
    return new ShingleFingerprinter(shingle, topS, k0, k1);
  }

  /** S. */
  public int topS() { return topS; }

  /** Distinct shingle hashes, ascending, at most S (empty when the text has fewer than k tokens). */
  public long[] fingerprint(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    List<Long> tokens = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      if (Character.isLetterOrDigit(cp)) {
        long h = 0xcbf29ce484222325L;
        while (i < s.length() && Character.isLetterOrDigit(cp = s.codePointAt(i))) {
          h ^= cp;
          h *= 0x100000001b3L;
          i += Character.charCount(cp);
        }
        tokens.add(h);
      } else {
        i += Character.charCount(cp);
      }
    }
    int n = tokens.size() - k + 1;
    if (n <= 0) return new long[0];
    long[] words = new long[tokens.size()];
    for (int t = 0; t < words.length; t++) words[t] = tokens.get(t);
    long[] hashes = new long[n];
    for (int t = 0; t < n; t++) hashes[t] = prf.hash(words, t, k);
    Arrays.sort(hashes);
    long[] out = new long[Math.min(topS, n)];
    int taken = 0;
    for (int t = n - 1; t >= 0 && taken < out.length; t--) {
      if (taken > 0 && hashes[t] == out[taken - 1]) continue;
      out[taken++] = hashes[t];
    }
    long[] fp = new long[taken];
    for (int t = 0; t < taken; t++) fp[t] = out[taken - 1 - t];
    return fp;
  }
}
