package dev.warden.verifier;

import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * A model, its signature or the signer failed a check. {@link #reason()} is a stable machine code; the
 * message names the cause for a human.
 */
public final class VerificationException extends GeneralSecurityException {
  private static final long serialVersionUID = 1L;

  /** Why verification (or signing) refused. */
  public enum Reason {
    /** Bundle larger than the configured bound. */
    BUNDLE_TOO_LARGE,
    /** Bundle or statement JSON is truncated, garbled or lacks a required field. */
    BUNDLE_MALFORMED,
    /** DSSE payload type is not {@code application/vnd.in-toto+json}. */
    WRONG_PAYLOAD_TYPE,
    /** Statement type or predicate type is not a model-signing one. */
    WRONG_PREDICATE_TYPE,
    /** The signature does not verify with the configured key or certificate. */
    SIGNATURE_INVALID,
    /** The bundle names another key than the configured one ({@code publicKey.hint}). */
    KEY_MISMATCH,
    /** The certificate chain does not lead to a configured trust anchor, or is unusable for signing. */
    CERTIFICATE_UNTRUSTED,
    /** The signer's identity or issuer is not the required one. */
    IDENTITY_MISMATCH,
    /** The subject digest is not the digest of the listed resources. */
    ROOT_DIGEST_MISMATCH,
    /** A manifest entry names an unsafe path ({@code ..}, absolute, NUL) or is malformed. */
    UNSAFE_PATH,
    /** The same resource is listed twice. */
    DUPLICATE_ENTRY,
    /** The files on disk differ from the signed manifest (changed, extra or missing). */
    MANIFEST_MISMATCH,
    /** A symbolic link is refused (not allowed, or points outside the model). */
    SYMLINK_REFUSED,
    /** A file changed while it was hashed. */
    MODIFIED_WHILE_HASHED,
    /** The model or signature cannot be read. */
    IO_ERROR,
    /** A configuration value is unsupported (curve, hash type, method). */
    UNSUPPORTED
  }

  private final Reason reason;

  public VerificationException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason);
  }

  public VerificationException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason);
  }

  public Reason reason() {
    return reason;
  }
}
