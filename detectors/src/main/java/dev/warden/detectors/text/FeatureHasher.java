package dev.warden.detectors.text;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Hashed character n-gram features: the text is NFKC-normalised, lower-cased, its whitespace runs
 * collapsed, and every character n-gram ({@code n} in {@link #MIN_N}..{@link #MAX_N}) of the padded
 * text adds 1 to bucket {@code fnv1a(ngram) mod dims}; the vector is L2-normalised. The hash is
 * fixed (FNV-1a, not keyed) because the model's weights are tied to it. Stateless, thread-safe.
 */
public final class FeatureHasher {
  /** Shortest n-gram. */
  public static final int MIN_N = 2;
  /** Longest n-gram: 4 covers the stems of "ignore", "instructions", "prompt". */
  public static final int MAX_N = 4;

  private final int dims;

  public FeatureHasher(int dims) {
    if (dims < 16 || Integer.bitCount(dims) != 1) throw new IllegalArgumentException("dims must be a power of two >= 16");
    this.dims = dims;
  }

  public int dims() { return dims; }

  /** NFKC, lower case, collapsed whitespace. */
  public static String normalise(String text) {
    String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    return s.replaceAll("\\s+", " ").strip();
  }

  /** The feature vector of {@code text}. */
  public float[] features(String text) {
    String s = " " + normalise(text) + " ";
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    float[] v = new float[dims];
    for (int n = MIN_N; n <= MAX_N; n++) {
      for (int i = 0; i + n <= b.length; i++) {
        int h = 0x811C9DC5 ^ n;
        for (int k = i; k < i + n; k++) {
          h ^= b[k] & 0xFF;
          h *= 0x01000193;
        }
        v[h & (dims - 1)] += 1f;
      }
    }
    double norm = 0;
    for (float x : v) norm += x * x;
    if (norm > 0) {
      float inv = (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < dims; i++) v[i] *= inv;
    }
    return v;
  }
}
