package dev.warden.detectors.screen;

/**
 * One input screen: scores a request. Implementations: the query-attack store
 * ({@code dev.warden.detectors.query.QueryAttackDetector}), ONNX scorers
 * ({@code dev.warden.detectors.onnx.OnnxScoreDetector}), the text scanners
 * ({@code dev.warden.detectors.text}).
 *
 * <h2>Security guarantees</h2>
 * A detector only scores; the {@link Screen} decides what a failure or timeout means (the
 * screen's {@link OnError}), and the gateway decides the action. A detector never returns request
 * data in its reason. {@link #cacheable()} must be false for a detector with state that every
 * request has to update (the query store), otherwise a verdict cache hit would hide a repeated
 * query from it.
 */
public interface Detector {
  /** The detector's kind name (e.g. "query-store"). */
  String name();

  /** The threshold used when the route sets none. */
  double defaultThreshold();

  /** Whether a verdict may be cached per (tenant, route, input digest). */
  boolean cacheable();

  /**
   * Whether {@link #detect} is cheap, CPU-only and bounded in its worst case (microseconds for any input
   * the gateway admits; no I/O; no waiting except on short critical sections), so the {@link Screen}
   * calls it on the calling thread, even an event loop, with no hand-off and no timeout. Default
   * false: the detector runs on the screen's worker pool under its {@code timeoutMs} and
   * {@code onError}, which is what a remote store or a model of unknown size needs.
   */
  default boolean inline() { return false; }

  /** Whether this detector looks at this kind of input (tensors or text). */
  boolean accepts(ScreenInput input);

  /**
   * Scores {@code input}; flags when the score reaches {@code threshold}.
   *
   * @throws Exception on any failure (handled by the screen's onError)
   */
  Detection detect(ScreenInput input, double threshold) throws Exception;
}
