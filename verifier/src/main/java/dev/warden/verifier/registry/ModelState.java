package dev.warden.verifier.registry;

/** Verification state of a registered model. */
public enum ModelState {
  /** Not verified yet, or a file changed and re-verification is under way. */
  PENDING,
  /** The files on disk matched a valid signature at the last check. */
  VERIFIED,
  /** The last check failed; {@link ModelStatus#lastError()} says why. */
  UNVERIFIED
}
