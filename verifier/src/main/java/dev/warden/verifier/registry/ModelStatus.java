package dev.warden.verifier.registry;

import dev.warden.verifier.VerificationException;
import java.time.Instant;

/**
 * Immutable snapshot of one model's trust status, as the gateway's trust gate and {@code /admin/models}
 * read it.
 *
 * @param name model name
 * @param version model version ("" when unversioned)
 * @param mode enforce or audit
 * @param state current state
 * @param rootDigest hex root digest of the last verified manifest (kept while PENDING after a change; null
 *     when never verified or after a failure)
 * @param signer signer identity of the last successful verification, or null
 * @param lastCheck end of the last completed check, or null before the first
 * @param lastError reason of the last failure or of the pending state, or null
 * @param lastErrorCode stable machine code of the last failure, or null
 * @param bytesRead bytes read by the last check (0 when every file was skipped by stat)
 */
public record ModelStatus(String name, String version, ModelSpec.Mode mode, ModelState state, String rootDigest,
    String signer, Instant lastCheck, String lastError, VerificationException.Reason lastErrorCode, long bytesRead) {

  /** The registry key ({@code name} or {@code name@version}). */
  public String key() {
    return ModelSpec.key(name, version);
  }

  /** True when the gateway may serve the model: verified, or audit mode. */
  public boolean servable() {
    return state == ModelState.VERIFIED || mode == ModelSpec.Mode.AUDIT;
  }

  /** True when the model is verified. */
  public boolean verified() {
    return state == ModelState.VERIFIED;
  }

  ModelStatus with(ModelState s, String digest, String who, Instant at, String error,
      VerificationException.Reason code, long read) {
    return new ModelStatus(name, version, mode, s, digest, who, at, error, code, read);
  }
}
