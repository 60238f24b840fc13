package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.oms.Dsse;
import dev.warden.verifier.oms.SigstoreBundle;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Certificate mode: the bundle's {@code x509CertificateChain} (leaf first, then intermediates) must chain
 * to one of the configured trust anchors, validated at the leaf's notBefore (the signing time cannot be
 * known without a log, so, like {@code model_signing}, a signature stays valid after the leaf expires);
 * the leaf must allow digitalSignature (key usage) or codeSigning (extended key usage), must match the
 * {@link IdentityPolicy}, and its EC key must verify the DSSE signature. Revocation is not checked
 * (offline).
 */
public final class CertificateChainAuthority implements SignatureAuthority {
  static final String EKU_OID = "2.5.29.37";
  static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

  private final Set<TrustAnchor> anchors;
  private final IdentityPolicy identity;

  /**
   * @param trustAnchors certificates trusted as chain ends (a root, or an intermediate to pin)
   * @param identity which leaf identities are acceptable
   */
  public CertificateChainAuthority(List<X509Certificate> trustAnchors, IdentityPolicy identity) {
    if (trustAnchors.isEmpty()) {
      throw new IllegalArgumentException("at least one trust anchor is required");
    }
    Set<TrustAnchor> a = new HashSet<>();
    for (X509Certificate c : trustAnchors) {
      a.add(new TrustAnchor(c, null));
    }
    this.anchors = Set.copyOf(a);
    this.identity = identity;
  }

  @Override
  public SignerInfo authenticate(SigstoreBundle bundle, byte[] bundleJson, byte[] rootDigest) throws VerificationException {
    List<X509Certificate> chain = bundle.certificates();
    if (chain.isEmpty()) {
      throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED,
          "the signature carries no certificate chain (was it signed in key mode?)");
    }
    X509Certificate leaf = chain.get(0);
    validateChain(leaf, chain);
    checkUsage(leaf);
    identity.check(leaf);
    byte[] pae = Dsse.pae(bundle.payloadType(), bundle.payload());
    if (!EcCurve.verify(leaf.getPublicKey(), pae, bundle.signature())) {
      throw new VerificationException(Reason.SIGNATURE_INVALID,
          "the DSSE signature does not verify with the signing certificate's key");
    }
    return new SignerInfo(IdentityPolicy.identityOf(leaf),
        leaf.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253), null);
  }

  private void validateChain(X509Certificate leaf, List<X509Certificate> chain) throws VerificationException {
    try {
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(leaf);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(leaf.getNotBefore());
      params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(chain)));
      params.addCertPathChecker(new EkuAware());
      CertPathBuilder.getInstance("PKIX").build(params);
    } catch (CertPathBuilderException e) {
      throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED, "the signing certificate '"
          + leaf.getSubjectX500Principal().getName() + "' does not chain to a configured trust anchor: "
          + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED, "chain validation failed: " + e.getMessage(), e);
    }
  }

  static void checkUsage(X509Certificate leaf) throws VerificationException {
    boolean[] ku = leaf.getKeyUsage();
    if (ku != null && ku.length > 0 && ku[0]) {
      return;
    }
    try {
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku != null && eku.contains(CODE_SIGNING)) {
        return;
      }
    } catch (java.security.cert.CertificateParsingException e) {
      // fall through
    }
    throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED,
        "the signing certificate allows neither digitalSignature nor codeSigning");
  }

  /** Lets PKIX accept a critical extended-key-usage extension; usage is checked by {@link #checkUsage}. */
  private static final class EkuAware extends PKIXCertPathChecker {
    @Override
    public void init(boolean forward) {}

    @Override
    public boolean isForwardCheckingSupported() {
      return true;
    }

    @Override
    public Set<String> getSupportedExtensions() {
      return Set.of(EKU_OID);
    }

    @Override
    public void check(Certificate cert, Collection<String> unresolvedCritExts) {
      unresolvedCritExts.remove(EKU_OID);
    }
  }

  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder("certificate chain to ");
    anchors.forEach(a -> sb.append('[').append(a.getTrustedCert().getSubjectX500Principal().getName()).append(']'));
    return sb.append(", ").append(identity).toString();
  }
}
