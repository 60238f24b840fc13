/**
 * Warden's input screening library (plain Java: ONNX Runtime, Caffeine; no Vert.x).
 *
 * <ul>
 *   <li>{@link dev.warden.detectors.digest}: canonical HMAC-SHA-256 input digests of OIP tensors, deny-list.</li>
 *   <li>{@link dev.warden.detectors.screen}: the screening API the gateway stage calls ({@code Screen},
 *       {@code ScreenInput}, {@code Verdict}), per-tenant verdict cache, detector registry.</li>
 *   <li>{@link dev.warden.detectors.query}: Blacklight query-attack store (image fingerprints, prompt sketches).</li>
 *   <li>{@link dev.warden.detectors.onnx}: ONNX detectors (MagNet autoencoder, any ONNX scorer), calibration.</li>
 *   <li>{@link dev.warden.detectors.text}: invisible-character scanner, injection classifier, near-duplicate prompts.</li>
 *   <li>{@link dev.warden.detectors.train}: the shared dense-network trainer and ONNX exporter, bundled data sets.</li>
 *   <li>{@link dev.warden.detectors.attack}: attack clients for tests and the evaluation harness.</li>
 * </ul>
 * {@link dev.warden.detectors.StandardDetectors} builds the standard detector set in one call.
 */
package dev.warden.detectors;
