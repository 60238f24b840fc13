/**
 * Sign and verify ML models (and datasets) in the OpenSSF model-signing (OMS) format: a Sigstore bundle v0.3
 * holding a DSSE envelope over an in-toto Statement v1 whose predicate lists every file (or shard) digest.
 *
 * <p>Public API, smallest first:
 * <ul>
 *   <li>{@link dev.warden.verifier.ModelVerifier}: {@code verify(model, signature)} returns a {@link
 *       dev.warden.verifier.VerifiedModel} or throws {@link dev.warden.verifier.VerificationException} whose
 *       {@code reason()} is a stable code.
 *   <li>{@link dev.warden.verifier.SignatureAuthority}: who may sign — {@link dev.warden.verifier.KeyAuthority}
 *       (ECDSA P-256/384/521 key), {@link dev.warden.verifier.CertificateChainAuthority} (X.509 chain to
 *       configured anchors plus an {@link dev.warden.verifier.IdentityPolicy}), {@link
 *       dev.warden.verifier.KeylessAuthority} (Sigstore keyless, offline trusted root).
 *   <li>{@link dev.warden.verifier.ModelSigner}: key and certificate signing, output accepted by {@code
 *       model_signing}; {@link dev.warden.verifier.KeyGenerator} and {@link dev.warden.verifier.Pem} for keys.
 *   <li>{@link dev.warden.verifier.registry.ModelTrustRegistry}: continuous verification of a set of models
 *       for the gateway's trust gate and {@code /admin/models}.
 *   <li>{@link dev.warden.verifier.hashing.ModelHasher}: the parallel hasher, usable alone ({@code warden
 *       digest}).
 * </ul>
 *
 * <h2>Security guarantees</h2>
 * See {@link dev.warden.verifier.ModelVerifier} and {@link dev.warden.verifier.SignatureAuthority}. No class
 * in this module contacts the network; keyless verification uses a local {@code trusted_root.json}. This
 * module depends on neither Vert.x nor the gateway.
 */
package dev.warden.verifier;
