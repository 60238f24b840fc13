/**
 * Federated learning with secure aggregation, served by the gateway: the {@code spec.federated} policy
 * section ({@link dev.warden.gateway.fl.FederatedSettings}) and the {@code /v1/fl/...} endpoints
 * ({@link dev.warden.gateway.fl.Federated}, reached from the data plane through
 * {@link dev.warden.gateway.fl.FederatedEndpoints}) on top of the protocol library
 * {@code dev.warden.crypto.secagg.RoundCoordinator}.
 *
 * <h2>Endpoints</h2>
 * <pre>
 * POST /v1/fl/rounds                              create (creators; body {"roundId": "..."} or empty) → 201 round config
 * GET  /v1/fl/rounds/{id}                         round config (canonical bytes)
 * GET  /v1/fl/rounds/{id}/status                  JSON status (state, survivors per phase, deadline, bytes)
 * POST /v1/fl/rounds/{id}/advertise-keys          signed message → 204
 * GET  /v1/fl/rounds/{id}/advertise-keys/{client} 425 until the phase closed
 * POST /v1/fl/rounds/{id}/share-keys
 * GET  /v1/fl/rounds/{id}/share-keys/{client}
 * POST /v1/fl/rounds/{id}/masked-input
 * GET|POST /v1/fl/rounds/{id}/consistency-check
 * GET|POST /v1/fl/rounds/{id}/unmask
 * GET  /v1/fl/rounds/{id}/result                  aggregate bytes (readers only, else 403)
 * </pre>
 * Library codes map to statuses: MALFORMED/PROTOCOL_VIOLATION 422, BAD_SIGNATURE 401, NOT_ENROLLED/FORBIDDEN
 * 403, WRONG_ROUND/WRONG_PHASE/DUPLICATE 409, NOT_READY 425, ROUND_FAILED 410, NOT_FOUND 404,
 * INVALID_ARGUMENT 400, IO 500. Design and threat model: {@code crypto/SECURITY-secagg.md}; walk-through:
 * {@code docs/federated.md}.
 */
package dev.warden.gateway.fl;
