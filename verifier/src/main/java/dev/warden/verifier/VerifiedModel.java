package dev.warden.verifier;

import java.time.Duration;
import java.util.HexFormat;

/**
 * Proof-of-work of a successful verification: only {@link ModelVerifier#verify} creates one. Immutable.
 *
 * @param modelName the subject name in the signature (informative)
 * @param rootDigest hex SHA-256 root digest of the signed (and verified) manifest
 * @param signer who signed
 * @param predicateType the statement's predicate type
 * @param method serialization method ({@code files} or {@code shards})
 * @param files files hashed
 * @param bytes bytes covered
 * @param bytesRead bytes actually read (less than {@code bytes} when a stat cache skipped files)
 * @param elapsed wall-clock time of the whole verification
 */
public record VerifiedModel(String modelName, String rootDigest, SignerInfo signer, String predicateType,
    String method, int files, long bytes, long bytesRead, Duration elapsed) {

  /** The root digest as bytes. */
  public byte[] rootDigestBytes() {
    return HexFormat.of().parseHex(rootDigest);
  }
}
