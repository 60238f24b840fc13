package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingException;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.Manifest;
import dev.warden.verifier.hashing.ModelHasher;
import dev.warden.verifier.oms.Dsse;
import dev.warden.verifier.oms.InTotoStatement;
import dev.warden.verifier.oms.SigstoreBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Signs a model in the OpenSSF model-signing format, in key mode ({@code publicKey.hint}) or certificate
 * mode ({@code x509CertificateChain}), writing the same statement and bundle encoding as {@code
 * model_signing} so that its verifier accepts Warden's signatures. ECDSA nonces come from {@link
 * SecureRandom}. {@code toString} never shows key material. Thread-safe.
 */
public final class ModelSigner {
  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final List<X509Certificate> chain;
  private final EcCurve curve;
  private final ModelHasher hasher;

  private ModelSigner(PrivateKey privateKey, PublicKey publicKey, List<X509Certificate> chain, ModelHasher hasher)
      throws VerificationException {
    this.curve = EcCurve.of(privateKey);
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.chain = List.copyOf(chain);
    this.hasher = hasher == null ? ModelVerifier.SharedHasher.get() : hasher;
  }

  /** Key mode. */
  public static ModelSigner withKey(PrivateKey key, ModelHasher hasher) throws VerificationException {
    return new ModelSigner(key, Pem.publicKeyOf(key), List.of(), hasher);
  }

  /**
   * Certificate mode.
   *
   * @param leaf the signing certificate (its key must be {@code key}'s public key)
   * @param chain further certificates to embed (intermediates, optionally the root), in order
   */
  public static ModelSigner withCertificate(PrivateKey key, X509Certificate leaf, List<X509Certificate> chain,
      ModelHasher hasher) throws VerificationException {
    PublicKey pub = Pem.publicKeyOf(key);
    if (!Arrays.equals(pub.getEncoded(), leaf.getPublicKey().getEncoded())) {
      throw new VerificationException(Reason.KEY_MISMATCH,
          "the signing certificate's public key does not match the private key");
    }
    CertificateChainAuthority.checkUsage(leaf);
    List<X509Certificate> all = new ArrayList<>();
    all.add(leaf);
    all.addAll(chain);
    return new ModelSigner(key, pub, all, hasher);
  }

  /** Result of signing. */
  public record Signed(Manifest manifest, String rootDigest, Path signature, long bytes, int files) {}

  /**
   * Hashes {@code model} with {@code options} (the signature file, when inside the model, is ignored and
   * recorded in {@code ignore_paths}), signs, and writes the bundle atomically to {@code signatureOut}.
   */
  public Signed sign(Path model, Path signatureOut, HashingOptions options, HashProgress progress)
      throws VerificationException {
    HashingOptions opts = options;
    String sigRel = ModelVerifier.relativeInside(model, signatureOut);
    if (sigRel != null) {
      opts = opts.withIgnorePaths(List.of(sigRel));
    }
    ModelHasher.Result r;
    try {
      r = hasher.hash(model, opts, null, null, progress);
    } catch (HashingException e) {
      throw new VerificationException(e.kind() == HashingException.Kind.MODIFIED_WHILE_HASHED
          ? Reason.MODIFIED_WHILE_HASHED
          : e.kind() == HashingException.Kind.UNREADABLE || e.kind() == HashingException.Kind.NOT_REGULAR_FILE
              ? Reason.IO_ERROR : Reason.SYMLINK_REFUSED, e.getMessage(), e);
    } catch (IOException e) {
      throw new VerificationException(Reason.IO_ERROR, "cannot hash " + model + ": " + e.getMessage(), e);
    }
    byte[] payload = InTotoStatement.encode(r.manifest());
    byte[] sig = signPae(Dsse.pae(InTotoStatement.PAYLOAD_TYPE, payload));
    SigstoreBundle bundle = chain.isEmpty()
        ? SigstoreBundle.forKey(payload, sig, Pem.keyHint(publicKey))
        : SigstoreBundle.forCertificates(payload, sig, chain);
    try {
      Path abs = signatureOut.toAbsolutePath();
      Path dir = abs.getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".warden-sig", ".tmp");
      try {
        Files.write(tmp, bundle.toJson());
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new VerificationException(Reason.IO_ERROR, "cannot write signature " + signatureOut + ": " + e.getMessage(), e);
    }
    return new Signed(r.manifest(), r.manifest().rootDigestHex(), signatureOut, r.bytes(), r.files());
  }

  private byte[] signPae(byte[] pae) throws VerificationException {
    try {
      Signature s = Signature.getInstance(curve.signatureAlgorithm());
      s.initSign(privateKey, new SecureRandom());
      s.update(pae);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new VerificationException(Reason.UNSUPPORTED, "signing failed: " + e.getMessage(), e);
    }
  }

  /** The signer's public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public String toString() {
    return "ModelSigner{" + curve + (chain.isEmpty() ? ", key mode" : ", certificate mode") + ", hint="
        + Pem.keyHint(publicKey) + "}";
  }
}
