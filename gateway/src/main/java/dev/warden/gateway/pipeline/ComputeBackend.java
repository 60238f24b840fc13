package dev.warden.gateway.pipeline;

import dev.warden.policies.Specs.Backend;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Step 8 for backends that are not plain HTTP model servers (e.g. {@code warden-he}: encrypt at the
 * gateway, compute on ciphertexts at the backend, decrypt here). It receives the parsed request and
 * answers in the request's own protocol, so the response stages, audit and metrics run as for a plain
 * backend. Register with {@code Gateway.Builder#computeBackend}.
 */
public interface ComputeBackend {
  /** A complete response in the client's protocol. */
  record Response(int status, MultiMap headers, Buffer body) {}

  /**
   * Serves the exchange. Called on the event loop; must not block it. Fail the future with a
   * {@link StageRejection} for a clear error (e.g. 503 when the backend is down).
   */
  Future<Response> compute(Exchange exchange, Backend backend);
}
