/**
 * ONNX detectors run with ONNX Runtime (one reused session each).
 *
 * <p>{@link dev.warden.detectors.onnx.MagNetAutoencoder} trains (with the shared trainer) an
 * autoencoder whose exported graph outputs the reconstruction error as {@code "score"};
 * {@link dev.warden.detectors.onnx.Calibration#thresholdAtFpr} sets its threshold at a target
 * false-positive rate on held-out clean data; {@link dev.warden.detectors.onnx.OnnxScoreDetector}
 * over an {@link dev.warden.detectors.onnx.OnnxScorer} is the operator slot for it and for any
 * other ONNX model mapping an FP32 row to a score. Model files load only through an
 * {@link dev.warden.detectors.onnx.ArtifactGate} (the gateway passes a verifier-backed one);
 * {@link dev.warden.detectors.onnx.OnnxScorer.Spec} reshapes, normalises and applies a softmax or
 * sigmoid for an operator's model, and {@link dev.warden.detectors.onnx.MagNetAutoencoder#toOnnx(double)}
 * folds a calibrated threshold into the graph so one signed file carries the detector and its calibration.
 * <pre>{@code
 * Dataset.Split s = Recipes.digitsSplit();
 * MagNetAutoencoder ae = MagNetAutoencoder.train(s.train(), Datasets.DIGITS_MAX_PIXEL, 40);
 * OnnxScorer scorer = OnnxScorer.fromBytes(ae.toOnnx(), MagNetAutoencoder.INPUT, MagNetAutoencoder.OUTPUT, 0);
 * double t = Calibration.thresholdAtFpr(scorer.scoreBatch(s.test().x()), 0.01);
 * registry.register("autoencoder", new OnnxScoreDetector("autoencoder", scorer, t));
 * }</pre>
 */
package dev.warden.detectors.onnx;
