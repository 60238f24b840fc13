package dev.warden.gateway.pipeline;

import io.vertx.core.Future;

/**
 * One step of the request pipeline, configured once from the policy (immutable) and shared by all
 * requests; per-request state lives only in the {@link Exchange}.
 *
 * <p>Requests walk the stages in {@link Phase} order; responses walk back in reverse (an onion, as in
 * vertx-http-proxy interceptors). A stage refuses a request by throwing (or failing its future with)
 * a {@link StageRejection}; in audit mode the pipeline records the refusal and continues instead.
 */
public interface Stage {
  /** Where the stage sits in the pipeline. */
  Phase phase();

  /** A short stable name for audit records and metrics, e.g. {@code rate-limit}. */
  String name();

  /**
   * Called on the event loop. Return {@code null} to continue at once (the common, allocation-free
   * case), or a future that completes when the stage is done (I/O, a worker-thread model run).
   */
  default Future<Void> onRequest(Exchange exchange) {
    return null;
  }

  /** Called on the event loop when the backend's (buffered) response is available, in reverse order. */
  default void onResponse(Exchange exchange) {}

  /**
   * Called once when the exchange is over, whatever happened (answered, refused, backend failed, client
   * gone), with the status sent. For releasing what {@link #onRequest} took (e.g. refunding a privacy
   * debit when no output was produced). Must not block.
   */
  default void onFinish(Exchange exchange, int status) {}

  /**
   * Whether this stage needs the backend response buffered and parsed (e.g. DP noise). When no stage
   * of a route needs it, responses are relayed without parsing.
   */
  default boolean rewritesResponse() {
    return false;
  }
}
