package dev.warden.detectors.text;

import ai.onnxruntime.OrtException;
import dev.warden.detectors.onnx.OnnxScorer;
import dev.warden.detectors.train.Activation;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Trainer;
import java.util.ArrayList;
import java.util.List;

/**
 * A small prompt-injection classifier: {@link FeatureHasher} features (hashed character 2–4-grams,
 * {@value #DIMS} buckets) and a logistic regression (softmax over 2 classes) trained by the shared
 * {@link Trainer} on {@link InjectionCorpus#training()}, exported to ONNX (input
 * {@value #INPUT} FP32 {@code [batch, DIMS]}, output {@value #OUTPUT} {@code [batch, 2]}) and run
 * with ONNX Runtime. Long texts are scored in overlapping chunks of {@value #CHUNK} characters; the
 * text's score is the largest chunk score, so an injection buried in a long document is not
 * diluted.
 *
 * <p>This is a baseline, not a state-of-the-art classifier: it learns surface n-grams of a small
 * corpus. Its value is cheap, explainable screening; an operator can register a stronger ONNX
 * classifier in the detector slot. Thread-safe.
 */
public final class PromptInjectionClassifier implements AutoCloseable {
  /** Hash buckets: 4096 keeps collisions rare for a few thousand distinct n-grams. */
  public static final int DIMS = 4096;
  /** Characters per chunk: about four sentences, so one injected sentence dominates its chunk. */
  public static final int CHUNK = 320;
  /** Overlap between chunks, so a phrase cut at a boundary is whole in one chunk. */
  public static final int OVERLAP = 96;
  public static final String INPUT = "features";
  public static final String OUTPUT = "probabilities";

  private final FeatureHasher hasher;
  private final OnnxScorer scorer;

  private PromptInjectionClassifier(FeatureHasher hasher, OnnxScorer scorer) {
    this.hasher = hasher;
    this.scorer = scorer;
  }

  /** Trains the logistic regression on {@code examples} (deterministic). */
  public static DenseNetwork train(List<InjectionCorpus.Example> examples) {
    FeatureHasher h = new FeatureHasher(DIMS);
    float[][] x = new float[examples.size()][];
    float[][] y = new float[examples.size()][2];
    for (int i = 0; i < x.length; i++) {
      x[i] = h.features(examples.get(i).text());
      y[i][examples.get(i).label()] = 1f;
    }
    return Trainer.builder()
        .dense(2, Activation.SOFTMAX)
        .learningRate(0.05).epochs(20).batchSize(32).l2(1e-4).seed(5)
        .build()
        .fit(x, y);
  }

  /** Trains on the bundled training corpus and loads the exported model into ONNX Runtime. */
  public static PromptInjectionClassifier trainDefault() throws OrtException {
    return fromOnnx(train(InjectionCorpus.training()).toOnnx(INPUT, OUTPUT));
  }

  /** Loads an exported model (bytes built in process or read after an artifact gate). */
  public static PromptInjectionClassifier fromOnnx(byte[] model) throws OrtException {
    return new PromptInjectionClassifier(new FeatureHasher(DIMS), OnnxScorer.fromBytes(model, INPUT, OUTPUT, 1));
  }

  /**
   * Loads an exported model file after {@code gate} admits it (the gateway passes a verifier-backed
   * gate, so a detector model is used only if its signature verifies).
   *
   * @throws SecurityException if the gate refuses
   */
  public static PromptInjectionClassifier load(java.nio.file.Path model, dev.warden.detectors.onnx.ArtifactGate gate)
      throws java.io.IOException, OrtException {
    return new PromptInjectionClassifier(new FeatureHasher(DIMS), OnnxScorer.load(model, gate, INPUT, OUTPUT, 1));
  }

  /** Probability of injection of one short text (no chunking). */
  public float probability(String text) throws OrtException {
    return scorer.score(hasher.features(text));
  }

  /** The largest chunk probability of {@code text}. */
  public float score(String text) throws OrtException {
    List<String> chunks = chunks(FeatureHasher.normalise(text));
    if (chunks.size() == 1) return scorer.score(hasher.features(chunks.get(0)));
    float[][] rows = new float[chunks.size()][];
    for (int i = 0; i < rows.length; i++) rows[i] = hasher.features(chunks.get(i));
    float best = 0;
    for (float s : scorer.scoreBatch(rows)) best = Math.max(best, s);
    return best;
  }

  static List<String> chunks(String s) {
    List<String> out = new ArrayList<>();
    if (s.length() <= CHUNK) {
      out.add(s);
      return out;
    }
    for (int start = 0; start < s.length(); start += CHUNK - OVERLAP) {
      out.add(s.substring(start, Math.min(s.length(), start + CHUNK)));
      if (start + CHUNK >= s.length()) break;
    }
    return out;
  }

  @Override
  public void close() throws OrtException { scorer.close(); }
}
