package dev.warden.detectors.query;

/**
 * Parameters of a Blacklight fingerprint for one input schema.
 *
 * @param step quantisation step: values are mapped to {@code floor((x + salt) / step)}; coarser
 *     steps make near-identical queries share more windows (and benign ones too)
 * @param window values per hashed window (w)
 * @param stride distance between window starts (p); keep {@code p >= w/2} for large inputs so the
 *     cost stays linear in the input size with a small constant
 * @param topS number of (largest) distinct window hashes kept as the fingerprint (S)
 * @param threshold flag when a stored fingerprint shares at least this many hashes (T)
 * @param saltRange the secret salt is drawn uniformly from {@code [0, saltRange * step)}; 1 for
 *     natural images. Inputs with a dominant value (the 0 background of the digits) want the
 *     quantisation boundary away from just above it, or the noise attackers add to blank pixels
 *     crosses it (measured: NES probes flagged 69 % with salt 0, 3 % with salt 0.9 step).
 * @param denoiseWidth 0 for one view; else the image's row length, and the fingerprint adds S hashes
 *     of the 3x3 neighbourhood means (see {@link Fingerprinter}); inputs whose length is not a
 *     multiple of it get the raw view only. {@code threshold} then counts over both views (up to 2S).
 */
public record FingerprintParams(float step, int window, int stride, int topS, int threshold, float saltRange, int denoiseWidth) {
  /** Parameters with the full salt range (1), one view. */
  public FingerprintParams(float step, int window, int stride, int topS, int threshold) {
    this(step, window, stride, topS, threshold, 1f, 0);
  }

  /** One view. */
  public FingerprintParams(float step, int window, int stride, int topS, int threshold, float saltRange) {
    this(step, window, stride, topS, threshold, saltRange, 0);
  }

  /** Validates. */
  public FingerprintParams {
    if (!(saltRange > 0 && saltRange <= 1)) throw new IllegalArgumentException("saltRange must be in (0, 1], got " + saltRange);
    if (!(step > 0) || !Float.isFinite(step)) throw new IllegalArgumentException("step must be positive, got " + step);
    if (window < 1) throw new IllegalArgumentException("window must be >= 1, got " + window);
    if (stride < 1) throw new IllegalArgumentException("stride must be >= 1, got " + stride);
    if (topS < 1) throw new IllegalArgumentException("topS must be >= 1, got " + topS);
    if (denoiseWidth < 0) throw new IllegalArgumentException("denoiseWidth must be >= 0, got " + denoiseWidth);
    int most = denoiseWidth > 0 ? 2 * topS : topS;
    if (threshold < 1 || threshold > most) throw new IllegalArgumentException("threshold must be in 1.." + most + ", got " + threshold);
  }

  /**
   * Blacklight's published MNIST/CIFAR setting scaled to 0..255 pixels: step 50, w 20, p 10,
   * S 50, T 25 (for 784-value and larger inputs).
   */
  public static final FingerprintParams IMAGE_0_255 = new FingerprintParams(50f, 20, 10, 50, 25);

  /** The same for images in 0..1. */
  public static final FingerprintParams IMAGE_0_1 = new FingerprintParams(50f / 255f, 20, 10, 50, 25);

  /**
   * The 8x8 digits (64 values 0..16): 64 values give too few windows for S = 50, so windows are
   * short and dense (w 8, p 1 → 57 windows), the step is about Blacklight's relative step. Salt in
   * [0, step/4): see {@code saltRange}. Two views (raw + 3x3 mean, rows of 8): T = 45 of up to 100
   * shared hashes was set on the benign digits (all 1797 distinct images streamed three times in
   * random order: at most 3 flags of 5391, 0.06 %, at each of the salts 0.05 to 0.49 tried; T 40:
   * up to 0.19 %) and catches 94-97 % of NES probes (raw view alone at T 25: 49-67 %); study:
   * {@code bench/.../FingerprintStudy}.
   */
  public static final FingerprintParams DIGITS_8X8 = new FingerprintParams(2f, 8, 1, 50, 45, 0.25f, 8);

  /** Largest fingerprint length: S per view. */
  public int hashes() {
    return denoiseWidth > 0 ? 2 * topS : topS;
  }

  /** Number of windows of an input of {@code n} values ({@code n < window} gives one short window). */
  public int windows(int n) {
    return n <= window ? 1 : (n - window) / stride + 1;
  }
}
