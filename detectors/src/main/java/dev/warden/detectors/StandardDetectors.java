package dev.warden.detectors;

import ai.onnxruntime.OrtException;
import dev.warden.detectors.onnx.Calibration;
import dev.warden.detectors.onnx.MagNetAutoencoder;
import dev.warden.detectors.onnx.OnnxScoreDetector;
import dev.warden.detectors.onnx.OnnxScorer;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.query.QueryAttackDetector;
import dev.warden.detectors.query.ShingleFingerprinter;
import dev.warden.detectors.screen.DetectorRegistry;
import dev.warden.detectors.text.PromptInjectionClassifier;
import dev.warden.detectors.text.TextDetectors;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.Recipes;
import java.time.Duration;
import java.util.Objects;

/**
 * The standard detector set for the digits demo and the chat route, built in one call: trains the
 * MagNet autoencoder on the standard digits split and calibrates it on the held-out part, trains
 * the injection classifier, creates the shared query stores with fresh secrets, and registers
 * everything under the names routes use:
 * <ul>
 *   <li>{@value #QUERY_STORE}: Blacklight store over the first numeric tensor ({@link Options#imageParams});</li>
 *   <li>{@value #AUTOENCODER}: MagNet reconstruction error, threshold at {@link Options#autoencoderTargetFpr};</li>
 *   <li>{@value #INVISIBLE_CHARS}, {@value #PROMPT_INJECTION}, {@value #NEAR_DUPLICATE}: text screens.</li>
 * </ul>
 * Building takes a few seconds (two small trainings), or no time with {@link #withoutModels}. Close it
 * on shutdown.
 */
public final class StandardDetectors implements AutoCloseable {
  public static final String QUERY_STORE = "query-store";
  public static final String AUTOENCODER = "autoencoder";
  public static final String INVISIBLE_CHARS = "invisible-chars";
  public static final String PROMPT_INJECTION = "prompt-injection";
  public static final String NEAR_DUPLICATE = "near-duplicate";

  /**
   * Settings.
   *
   * @param imageParams fingerprint parameters of the image schema
   * @param queryStoreCapacity fingerprints kept by the image store
   * @param textStoreCapacity prompt sketches kept by the text store
   * @param retention TTL of both stores
   * @param autoencoderTargetFpr false-positive rate the autoencoder threshold is calibrated to
   */
  public record Options(FingerprintParams imageParams, int queryStoreCapacity, int textStoreCapacity, Duration retention,
      double autoencoderTargetFpr) {
    public Options {
      Objects.requireNonNull(imageParams, "imageParams");
      Objects.requireNonNull(retention, "retention");
    }

    /** Digits schema, 100 000 image fingerprints, 20 000 prompts, 1 h retention, 1 % autoencoder FPR. */
    public static Options digitsDemo() {
      return new Options(FingerprintParams.DIGITS_8X8, 100_000, 20_000, Duration.ofHours(1), 0.01);
    }
  }

  /** Shingle length (words) of the near-duplicate sketch. */
  static final int SHINGLE = 3;
  /** Sketch size of the near-duplicate store. */
  static final int SKETCH = 64;
  /** Prompts with fewer shingles are not near-duplicate screened (too little evidence). */
  static final int MIN_SHINGLES = 8;
  /** Autoencoder training epochs (converged on the digits). */
  static final int AE_EPOCHS = 25;

  private final DetectorRegistry registry = new DetectorRegistry();
  private final Options options;
  private final InMemoryQueryStore imageStore;
  private final InMemoryQueryStore textStore;
  private OnnxScorer autoencoder;
  private byte[] autoencoderModel;
  private double autoencoderThreshold = Double.NaN;
  private PromptInjectionClassifier injection;

  private StandardDetectors(Options o, boolean trainModels) throws OrtException {
    options = o;
    imageStore = InMemoryQueryStore.create(o.queryStoreCapacity(), o.imageParams(), o.retention());
    registry.register(QUERY_STORE, new QueryAttackDetector(Fingerprinter.create(o.imageParams()), imageStore));
    textStore = new InMemoryQueryStore(o.textStoreCapacity(), SKETCH, o.retention().toMillis(), System::currentTimeMillis);
    registry.register(INVISIBLE_CHARS, TextDetectors.invisibleChars());
    registry.register(NEAR_DUPLICATE, TextDetectors.nearDuplicate(ShingleFingerprinter.create(SHINGLE, SKETCH), textStore, MIN_SHINGLES));
    if (trainModels) {
      trainModels();
    }
  }

  /** Builds the standard set, training both models (a few seconds). */
  public static StandardDetectors build(Options options) throws OrtException {
    return new StandardDetectors(options, true);
  }

  /**
   * Builds the set without {@value #AUTOENCODER} and {@value #PROMPT_INJECTION} (nothing trained):
   * for a gateway whose routes load those models as signed files; {@link #trainModels} adds them
   * later if a route needs the built-in ones.
   */
  public static StandardDetectors withoutModels(Options options) throws OrtException {
    return new StandardDetectors(options, false);
  }

  /** Whether the two built-in models are registered. */
  public synchronized boolean hasModels() { return autoencoder != null; }

  /**
   * Trains (once) the MagNet autoencoder on the standard digits split, calibrates it on the
   * held-out part, trains the injection classifier, and registers both.
   */
  public synchronized void trainModels() throws OrtException {
    if (autoencoder != null) return;
    Dataset.Split s = Recipes.digitsSplit();
    MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, AE_EPOCHS);
    autoencoderModel = ae.toOnnx();
    autoencoder = OnnxScorer.fromBytes(autoencoderModel, MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
    autoencoderThreshold = Calibration.thresholdAtFpr(autoencoder.scoreBatch(s.test().x()), options.autoencoderTargetFpr());
    registry.register(AUTOENCODER, new OnnxScoreDetector(AUTOENCODER, autoencoder, autoencoderThreshold, true));
    injection = PromptInjectionClassifier.trainDefault();
    registry.register(PROMPT_INJECTION, TextDetectors.promptInjection(injection));
  }

  /**
   * The built-in autoencoder as a file to sign and ship: trained on the standard digits split,
   * calibrated on its held-out part at {@code options.autoencoderTargetFpr()}, exported with the
   * threshold folded in (flags at score 1.0; see {@link MagNetAutoencoder#toOnnx(double)}).
   */
  public static byte[] calibratedAutoencoderOnnx(Options options) throws OrtException {
    Dataset.Split s = Recipes.digitsSplit();
    MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, AE_EPOCHS);
    try (OnnxScorer raw = OnnxScorer.fromBytes(ae.toOnnx(), MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0)) {
      return ae.toOnnx(Calibration.thresholdAtFpr(raw.scoreBatch(s.test().x()), options.autoencoderTargetFpr()));
    }
  }

  /** The built-in injection classifier as a file to sign and ship (loaded with {@link PromptInjectionClassifier#fromOnnx}). */
  public static byte[] injectionClassifierOnnx() {
    return PromptInjectionClassifier.train(dev.warden.detectors.text.InjectionCorpus.training())
        .toOnnx(PromptInjectionClassifier.INPUT, PromptInjectionClassifier.OUTPUT);
  }

  /** The registry to build route {@link dev.warden.detectors.screen.Screen}s from (add operator detectors to it). */
  public DetectorRegistry registry() { return registry; }

  /** The shared image query store (metrics: size, memoryBytes, alarmCounts). */
  public InMemoryQueryStore imageStore() { return imageStore; }

  /** The shared prompt store. */
  public InMemoryQueryStore textStore() { return textStore; }

  /** The calibrated autoencoder threshold (NaN before {@link #trainModels}). */
  public synchronized double autoencoderThreshold() { return autoencoderThreshold; }

  /** The exported autoencoder model (to write out and sign as an artifact), or null before {@link #trainModels}. */
  public synchronized byte[] autoencoderModel() { return autoencoderModel == null ? null : autoencoderModel.clone(); }

  @Override
  public synchronized void close() throws OrtException {
    if (autoencoder != null) {
      autoencoder.close();
      injection.close();
    }
  }
}
