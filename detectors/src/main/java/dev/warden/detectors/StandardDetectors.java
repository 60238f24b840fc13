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
 * Building takes a few seconds (two small trainings). Close it on shutdown.
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
  private final InMemoryQueryStore imageStore;
  private final InMemoryQueryStore textStore;
  private final OnnxScorer autoencoder;
  private final byte[] autoencoderModel;
  private final double autoencoderThreshold;
  private final PromptInjectionClassifier injection;

  private StandardDetectors(Options o) throws OrtException {
    imageStore = InMemoryQueryStore.create(o.queryStoreCapacity(), o.imageParams(), o.retention());
    registry.register(QUERY_STORE, new QueryAttackDetector(Fingerprinter.create(o.imageParams()), imageStore));
    Dataset.Split s = Recipes.digitsSplit();
    MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, AE_EPOCHS);
    autoencoderModel = ae.toOnnx();
    autoencoder = OnnxScorer.fromBytes(autoencoderModel, MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
    autoencoderThreshold = Calibration.thresholdAtFpr(autoencoder.scoreBatch(s.test().x()), o.autoencoderTargetFpr());
    registry.register(AUTOENCODER, new OnnxScoreDetector(AUTOENCODER, autoencoder, autoencoderThreshold, true));
    injection = PromptInjectionClassifier.trainDefault();
    textStore = new InMemoryQueryStore(o.textStoreCapacity(), SKETCH, o.retention().toMillis(), System::currentTimeMillis);
    registry.register(INVISIBLE_CHARS, TextDetectors.invisibleChars());
    registry.register(PROMPT_INJECTION, TextDetectors.promptInjection(injection));
    registry.register(NEAR_DUPLICATE, TextDetectors.nearDuplicate(ShingleFingerprinter.create(SHINGLE, SKETCH), textStore, MIN_SHINGLES));
  }

  /** Builds the standard set. */
  public static StandardDetectors build(Options options) throws OrtException {
    return new StandardDetectors(options);
  }

  /** The registry to build route {@link dev.warden.detectors.screen.Screen}s from (add operator detectors to it). */
  public DetectorRegistry registry() { return registry; }

  /** The shared image query store (metrics: size, memoryBytes, alarmCounts). */
  public InMemoryQueryStore imageStore() { return imageStore; }

  /** The shared prompt store. */
  public InMemoryQueryStore textStore() { return textStore; }

  /** The calibrated autoencoder threshold. */
  public double autoencoderThreshold() { return autoencoderThreshold; }

  /** The exported autoencoder model (to write out and sign as an artifact). */
  public byte[] autoencoderModel() { return autoencoderModel.clone(); }

  @Override
  public void close() throws OrtException {
    autoencoder.close();
    injection.close();
  }
}
