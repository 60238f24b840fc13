package dev.warden.detectors.onnx;

import java.nio.file.Path;

/**
 * Decides whether a detector model file may be loaded. The gateway passes one backed by the
 * verifier (signature of the model file must verify), so detector models are trusted artifacts
 * like served models. {@link #NONE} admits everything and is meant for tests and for models built
 * in process.
 *
 * <h2>Security guarantees</h2>
 * {@link OnnxScorer#load} calls {@link #admit} on the exact file it then reads, before reading it;
 * a throwing gate means the model is never loaded.
 */
@FunctionalInterface
public interface ArtifactGate {
  /** Admits everything: only for tests and in-process models (the name says so on purpose). */
  ArtifactGate NONE = p -> { };

  /**
   * Returns normally if {@code model} may be loaded.
   *
   * @throws Exception (e.g. a verification failure) if not
   */
  void admit(Path model) throws Exception;
}
