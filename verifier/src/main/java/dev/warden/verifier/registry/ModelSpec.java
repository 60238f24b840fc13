package dev.warden.verifier.registry;

import dev.warden.verifier.CertificateChainAuthority;
import dev.warden.verifier.IdentityPolicy;
import dev.warden.verifier.KeyAuthority;
import dev.warden.verifier.KeylessAuthority;
import dev.warden.verifier.Pem;
import dev.warden.verifier.SignatureAuthority;
import dev.warden.verifier.VerificationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One model the gateway may serve (the policy's {@code models:} entry): where its files and signature are,
 * who must have signed it, and whether an unverified model is refused ({@link Mode#ENFORCE}) or served
 * and recorded ({@link Mode#AUDIT}). Immutable; equal specs mean "nothing changed" on reload.
 *
 * @param name model name as routed
 * @param version model version, or "" when unversioned
 * @param modelPath the directory (or single file) the model server loads
 * @param signaturePath the OMS bundle
 * @param authority required signer
 * @param mode enforce or audit
 * @param ignorePaths extra paths to ignore, relative to the model root
 */
public record ModelSpec(String name, String version, Path modelPath, Path signaturePath, Authority authority, Mode mode,
    List<String> ignorePaths) {

  /** What happens to an unverified model. */
  public enum Mode {
    /** Refuse requests (503 model_untrusted) until verified. */
    ENFORCE,
    /** Serve, but record the model as unverified. */
    AUDIT
  }

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    version = version == null ? "" : version;
    Objects.requireNonNull(modelPath, "modelPath");
    Objects.requireNonNull(signaturePath, "signaturePath");
    Objects.requireNonNull(authority, "authority");
    mode = mode == null ? Mode.ENFORCE : mode;
    ignorePaths = ignorePaths == null ? List.of() : List.copyOf(ignorePaths);
  }

  /** The registry key: {@code name} or {@code name@version}. */
  public String key() {
    return key(name, version);
  }

  static String key(String name, String version) {
    return version == null || version.isEmpty() ? name : name + "@" + version;
  }

  /** The required signer, as configuration (files are read when the registry verifies). */
  public sealed interface Authority permits KeyPem, CertificateChain, Keyless {
    /** Loads the key material and builds the authority. */
    SignatureAuthority build() throws VerificationException;
  }

  /** Key mode: an ECDSA public key PEM. */
  public record KeyPem(Path publicKey) implements Authority {
    @Override
    public SignatureAuthority build() throws VerificationException {
      return new KeyAuthority(Pem.readPublicKey(publicKey));
    }
  }

  /** Certificate mode: trust-anchor PEM files and an identity policy ({@link IdentityPolicy#any()} for none). */
  public record CertificateChain(List<Path> trustAnchors, IdentityPolicy identity) implements Authority {
    public CertificateChain {
      trustAnchors = List.copyOf(trustAnchors);
      identity = identity == null ? IdentityPolicy.any() : identity;
    }

    @Override
    public SignatureAuthority build() throws VerificationException {
      return new CertificateChainAuthority(Pem.readCertificates(trustAnchors), identity);
    }
  }

  /** Sigstore keyless: identity and issuer (exact or regex) and a local trusted root. */
  public record Keyless(KeylessAuthority.Match identity, KeylessAuthority.Match issuer, Path trustedRoot)
      implements Authority {
    public Keyless {
      Objects.requireNonNull(identity, "identity");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(trustedRoot, "trustedRoot");
    }

    @Override
    public SignatureAuthority build() throws VerificationException {
      return new KeylessAuthority(trustedRoot, identity, issuer);
    }
  }
}
