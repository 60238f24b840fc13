package dev.warden.verifier;

import dev.warden.verifier.oms.SigstoreBundle;

/**
 * Who may sign a model: checks that a bundle's DSSE signature was made by a trusted party.
 *
 * <h2>Security guarantees</h2>
 * When {@link #authenticate} returns, the DSSE pre-authentication encoding of the bundle's payload type
 * and payload was signed by the configured key, by a certificate chaining to the configured anchors
 * (valid at its own notBefore) and matching the identity policy, or, keyless, by a Fulcio certificate for
 * the required identity and issuer whose signature is recorded in a transparency log of the local
 * trusted root while the certificate was valid. It guarantees nothing about the model files: {@link
 * ModelVerifier} compares those with the signed manifest. Implementations never contact the network.
 */
public interface SignatureAuthority {

  /**
   * Verifies the signature.
   *
   * @param bundle the parsed bundle (untrusted)
   * @param bundleJson the raw bundle bytes (keyless verification re-parses them with sigstore-java)
   * @param rootDigest the model root digest claimed by the payload's subject
   * @return who signed
   * @throws VerificationException naming the cause when the signature is not acceptable
   */
  SignerInfo authenticate(SigstoreBundle bundle, byte[] bundleJson, byte[] rootDigest) throws VerificationException;

  /** Short description for logs and status pages (no secrets). */
  String describe();
}
