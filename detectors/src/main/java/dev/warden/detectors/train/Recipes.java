package dev.warden.detectors.train;

/**
 * Ready-made training recipes for the models other Warden modules need, each deterministic (fixed
 * seeds) so a rebuild gives the same weights. Export any result with
 * {@link DenseNetwork#toOnnx(String, String)}.
 */
public final class Recipes {
  /** Seed of {@link #digitsSplit()}. */
  public static final long SPLIT_SEED = 42;
  /** Held-out share of {@link #digitsSplit()} and {@link #breastCancerSplit()}. */
  public static final double TEST_FRACTION = 0.2;
  /** Seed of every recipe's initialisation and shuffling. */
  public static final long TRAIN_SEED = 7;

  private Recipes() {}

  /** The project's one standard split of the digits (80 % train, 20 % held out, stratified, seed 42). */
  public static Dataset.Split digitsSplit() {
    return Datasets.digits().stratifiedSplit(TEST_FRACTION, SPLIT_SEED);
  }

  /** The standard split of the breast-cancer set (80 / 20, stratified, seed 42). */
  public static Dataset.Split breastCancerSplit() {
    return Datasets.breastCancer().stratifiedSplit(TEST_FRACTION, SPLIT_SEED);
  }

  /** Per-feature {@code 1/16}: maps 0..16 digit pixels into 0..1 inside the model. */
  public static float[][] digitsUnitScaling() {
    float[] shift = new float[Datasets.DIGITS_FEATURES];
    float[] scale = new float[Datasets.DIGITS_FEATURES];
    java.util.Arrays.fill(scale, 1f / Datasets.DIGITS_MAX_PIXEL);
    return new float[][] {shift, scale};
  }

  /**
   * The gateway demo's digits classifier: raw pixels 0..16 → standardisation (inside the model) →
   * 64 relu → 10 softmax. Export with {@code toOnnx("input", "probabilities")}.
   */
  public static DenseNetwork digitsMlp(Dataset train) {
    return Trainer.builder()
        .dense(64, Activation.RELU)
        .dense(10, Activation.SOFTMAX)
        .standardise(true)
        .learningRate(0.005).epochs(40).batchSize(32).l2(1e-4).seed(TRAIN_SEED)
        .build()
        .fitClassifier(train);
  }

  /**
   * Logistic regression 64 → 10 (softmax) on pixels scaled by 1/16 inside the model. For
   * homomorphic inference take {@code withStandardisationFolded().withoutFinalActivation()}: one
   * Gemm producing logits.
   */
  public static DenseNetwork digitsLogisticRegression(Dataset train) {
    float[][] s = digitsUnitScaling();
    return Trainer.builder()
        .dense(10, Activation.SOFTMAX)
        .inputScaling(s[0], s[1])
        .learningRate(0.05).epochs(60).batchSize(32).l2(1e-4).seed(TRAIN_SEED)
        .build()
        .fitClassifier(train);
  }

  /**
   * MLP 64 → 32 (square) → 10 (softmax) on pixels scaled by 1/16 inside the model: the
   * HE-friendly network (square is a degree-2 polynomial). Same HE advice as
   * {@link #digitsLogisticRegression}.
   */
  public static DenseNetwork digitsSquareMlp(Dataset train) {
    float[][] s = digitsUnitScaling();
    return Trainer.builder()
        .dense(32, Activation.SQUARE)
        .dense(10, Activation.SOFTMAX)
        .inputScaling(s[0], s[1])
        .learningRate(0.005).epochs(60).batchSize(32).l2(1e-4).seed(TRAIN_SEED)
        .build()
        .fitClassifier(train);
  }

  /** Breast-cancer logistic regression 30 → 2 (softmax; class 1 = benign) with standardisation inside. */
  public static DenseNetwork breastCancerLogisticRegression(Dataset train) {
    return Trainer.builder()
        .dense(2, Activation.SOFTMAX)
        .standardise(true)
        .learningRate(0.01).epochs(80).batchSize(32).l2(1e-3).seed(TRAIN_SEED)
        .build()
        .fitClassifier(train);
  }
}
