/**
 * The gateway's tamper-evident audit trail (ARCHITECTURE.md, step 10).
 *
 * <h2>Public API</h2>
 * <ul>
 *   <li>{@link dev.warden.gateway.audit.AuditEvent} — one request (immutable, with a builder).
 *   <li>{@link dev.warden.gateway.audit.AuditLog} — {@code open(file, key, checkpointEvery,
 *       replicaId)}, {@code append(event)} (non-blocking, any thread), counters for metrics,
 *       {@code close()} (drains, writes the final checkpoint).
 *   <li>{@link dev.warden.gateway.audit.AuditVerifier} — {@code verify(file, publicKey)}: the first
 *       bad line and why.
 *   <li>{@link dev.warden.gateway.audit.AuditKeys} — Ed25519 keys: generate, PEM read/write, key id.
 *   <li>{@link dev.warden.gateway.audit.AuditCommand} — picocli {@code warden audit verify|keygen}.
 * </ul>
 * Plain Java (JDK, Jackson, Bouncy Castle): no Vert.x, so the verifier runs anywhere.
 *
 * <h2>File format ({@code warden-audit-v1})</h2>
 * UTF-8 JSON lines, each ending in {@code '\n'}, one chain per replica. Every line begins with
 * <pre>
 *   "seq":  1, 2, 3, … with no gaps, continuing across restarts
 *   "prev": lowercase hex SHA-256 of the previous line's bytes (without its newline);
 *           for line 1: SHA-256("warden-audit-v1:" + replicaId)
 *   "type": "record" | "loss" | "checkpoint"
 *   "replicaId": the chain's replica
 * </pre>
 * then, by type:
 * <pre>
 *   record:     time (RFC 3339 UTC, ms), requestId, tenant, route, protocol, model, modelVersion,
 *               modelDigest, inputDigest, compute, stages [{stage, verdict, detail}], status,
 *               code, latencyMs, extra {…}           (unknown values are null)
 *   loss:       time, dropped       (events the writer could not take: queue full)
 *   checkpoint: time, final (true only for the one written by close()), chainHash (= prev: the
 *               head of the chain, which by induction commits to every earlier line), keyId
 *               (hex, first 16 bytes of SHA-256 of the X.509 public key), sig (base64 Ed25519)
 * </pre>
 * A checkpoint's {@code sig} is over the UTF-8 bytes of
 * {@code "warden-audit-v1:checkpoint" NUL replicaId NUL seq NUL prev NUL time NUL
 * ("final"|"periodic") NUL chainHash} — every field of the line but {@code keyId} and
 * {@code sig}. A checkpoint follows every {@code checkpointEvery} record/loss lines (optionally
 * also after a quiet interval) and one is written at close.
 *
 * <h2>What the verifier reports</h2>
 * The first bad line (1-based) and a {@link dev.warden.gateway.audit.AuditVerifier.Problem}:
 * an edited line (named at its own line), removed lines (at the gap), swapped lines, an
 * inserted or duplicated line, a line of another replica, a checkpoint whose signature fails (a
 * chain rewritten without the key fails at the first checkpoint after the change), a checkpoint of
 * another key, malformed JSON or a torn last line. Lines after the last checkpoint are a warning
 * ("unsigned tail") unless the final checkpoint is required.
 *
 * <h2>Security guarantees</h2>
 * See {@link dev.warden.gateway.audit.AuditLog} and {@link dev.warden.gateway.audit.AuditVerifier}:
 * tamper-evidence up to the last checkpoint against anyone without the signing key; the unsigned
 * tail and cuts exactly at a periodic checkpoint are only detectable on closed files with
 * {@code --require-final-checkpoint}. Losses under overload are recorded, never silent.
 */
package dev.warden.gateway.audit;
