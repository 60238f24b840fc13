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
   * Called on the event loop for a buffered response after {@link #onResponse} walked back through all
   * stages and before anything of the response is written, in reverse stage order. Return {@code null}
   * to continue at once (the default and common case), or a future: the next stage's hook, and then the
   * write, wait for it without blocking the event loop. A failed future (a {@link StageRejection} gives
   * its status and code; anything else is a 500) sends that error instead and releases nothing.
   *
   * <p>For work that must be finished before an output may leave the gateway but can overlap the
   * backend call, e.g. the privacy ledger's fsync of the debit made in {@link #onRequest}. Only buffered
   * responses pass here: a stage relying on it must return {@code true} from {@link #rewritesResponse()}.
   */
  default Future<Void> beforeRelease(Exchange exchange) {
    return null;
  }

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
