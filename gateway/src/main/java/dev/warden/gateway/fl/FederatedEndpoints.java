package dev.warden.gateway.fl;

import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.runtime.PolicyRuntime;
import java.security.cert.Certificate;
import java.util.List;

/**
 * What the data plane hands {@code /v1/fl/...} requests to (set with {@code Gateway.Builder#federated}).
 * The implementation identifies the caller with the policy's authenticator (the same call the data plane
 * makes for every other endpoint), answers the request, and writes its own metrics and audit record.
 *
 * <h2>Security guarantees</h2>
 * Every request is authenticated before anything else is read; the request body (still paused) is read
 * only up to a bound derived from the round, and no call of the coordinator runs on the event loop.
 */
public interface FederatedEndpoints {
  /** Serves one request; {@code ex.request()} is paused if it has a body. Must not block. */
  void handle(Exchange ex, PolicyRuntime rt, List<Certificate> peerCertificates);
}
