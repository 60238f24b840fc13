package dev.warden.detectors.attack;

/**
 * The black box an attack queries: one input in, class probabilities out. An implementation may
 * call a model in process or over HTTP; it may also refuse (throw {@link Refused}) when the
 * defence blocks the query.
 */
@FunctionalInterface
public interface ScoreOracle {
  /** Class probabilities for {@code x}. */
  float[] query(float[] x) throws Refused;

  /** The defence refused a query (e.g. HTTP 403 input_rejected). */
  final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    public Refused(String message) { super(message); }
  }
}
