package dev.warden.verifier;

import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.bundle.BundleParseException;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.strings.RegexSyntaxException;
import dev.sigstore.strings.StringMatcher;
import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.oms.SigstoreBundle;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Sigstore keyless mode, fully offline: sigstore-java 2.0.0's {@link KeylessVerifier} built from a local
 * {@code trusted_root.json} checks the Fulcio chain, the SCT, the transparency-log entry and its
 * inclusion proof or set, the DSSE signature and that the in-toto subject carries the model's root
 * digest; the certificate must name the required identity (SAN) and OIDC issuer, each matched exactly or
 * by a whole-value regular expression. Warden adds the check that sigstore-java 2.0.0 dropped: the leaf
 * certificate must have been valid at the log entry's integrated time.
 */
public final class KeylessAuthority implements SignatureAuthority {
  static final String OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
  static final String OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

  /** Matches a string exactly or by a whole-value regular expression. */
  public record Match(String value, boolean regex) {
    public Match {
      Objects.requireNonNull(value, "value");
    }

    public static Match exact(String v) {
      return new Match(v, false);
    }

    public static Match regex(String v) {
      return new Match(v, true);
    }

    StringMatcher toSigstore() throws VerificationException {
      try {
        return regex ? StringMatcher.regex(value) : StringMatcher.string(value);
      } catch (RegexSyntaxException e) {
        throw new VerificationException(Reason.UNSUPPORTED, "invalid regular expression '" + value + "': " + e.getMessage());
      }
    }

    boolean test(String s) {
      return s != null && (regex ? java.util.regex.Pattern.compile(value).matcher(s).matches() : value.equals(s));
    }

    @Override
    public String toString() {
      return regex ? "/" + value + "/" : "'" + value + "'";
    }
  }

  private final KeylessVerifier verifier;
  private final VerificationOptions options;
  private final Match identity;
  private final Match issuer;
  private final String rootName;

  /**
   * @param trustedRoot a Sigstore {@code trusted_root.json} (no network access is made)
   * @param identity required certificate identity (SAN: e-mail or URI)
   * @param issuer required OIDC issuer
   */
  public KeylessAuthority(Path trustedRoot, Match identity, Match issuer) throws VerificationException {
    this.identity = Objects.requireNonNull(identity, "identity is required");
    this.issuer = Objects.requireNonNull(issuer, "issuer is required");
    if (!Files.isRegularFile(trustedRoot)) {
      throw new VerificationException(Reason.IO_ERROR, "trusted root not found: " + trustedRoot);
    }
    try {
      this.verifier = KeylessVerifier.builder().trustedRootProvider(TrustedRootProvider.from(trustedRoot)).build();
    } catch (Exception e) {
      throw new VerificationException(Reason.UNSUPPORTED, "cannot load trusted root " + trustedRoot + ": " + e.getMessage(), e);
    }
    this.options = VerificationOptions.builder()
        .addCertificateMatchers(VerificationOptions.CertificateMatcher.fulcio()
            .subjectAlternativeName(identity.toSigstore())
            .issuer(issuer.toSigstore())
            .build())
        .build();
    this.rootName = trustedRoot.getFileName().toString();
  }

  @Override
  public SignerInfo authenticate(SigstoreBundle parsed, byte[] bundleJson, byte[] rootDigest) throws VerificationException {
    if (!parsed.hasSingleCertificate() && parsed.certificates().isEmpty()) {
      throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED,
          "the signature carries no Fulcio certificate (was it signed in key mode?)");
    }
    Bundle bundle;
    try {
      bundle = Bundle.from(new StringReader(new String(bundleJson, StandardCharsets.UTF_8)));
    } catch (BundleParseException | RuntimeException e) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "sigstore-java cannot parse the bundle: " + e.getMessage(), e);
    }
    if (bundle.getEntries().isEmpty()) {
      throw new VerificationException(Reason.SIGNATURE_INVALID, "keyless signature has no transparency-log entry");
    }
    X509Certificate leaf = (X509Certificate) bundle.getCertPath().getCertificates().get(0);
    String san = IdentityPolicy.sans(leaf).stream().findFirst().orElse(null);
    String certIssuer = issuerOf(leaf);
    // Name the precise cause for identity mismatches before the library's generic message.
    if (!identity.test(san) && IdentityPolicy.sans(leaf).stream().noneMatch(identity::test)) {
      throw new VerificationException(Reason.IDENTITY_MISMATCH,
          "certificate identity '" + san + "' does not match the required identity " + identity);
    }
    if (!issuer.test(certIssuer)) {
      throw new VerificationException(Reason.IDENTITY_MISMATCH,
          "certificate issuer '" + certIssuer + "' does not match the required issuer " + issuer);
    }
    try {
      verifier.verify(rootDigest, bundle, options);
    } catch (KeylessVerificationException e) {
      String m = String.valueOf(e.getMessage());
      Reason r = m.contains("certificate identities") ? Reason.IDENTITY_MISMATCH
          : m.contains("Fulcio certificate") ? Reason.CERTIFICATE_UNTRUSTED : Reason.SIGNATURE_INVALID;
      throw new VerificationException(r, "keyless verification failed: " + m, e);
    } catch (RuntimeException e) {
      // sigstore-java 2.0.0 throws unchecked exceptions on some malformed log entries: fail closed.
      throw new VerificationException(Reason.SIGNATURE_INVALID,
          "keyless verification failed on a malformed bundle or log entry: " + e, e);
    }
    RekorEntry entry = bundle.getEntries().get(0);
    Instant integrated = entry.getIntegratedTimeInstant();
    if (entry.getIntegratedTime() <= 0 && bundle.getTimestamps().isEmpty()) {
      throw new VerificationException(Reason.SIGNATURE_INVALID, "log entry has no integrated time and no timestamp");
    }
    if (entry.getIntegratedTime() > 0) {
      try {
        leaf.checkValidity(Date.from(integrated));
      } catch (CertificateExpiredException | CertificateNotYetValidException e) {
        throw new VerificationException(Reason.CERTIFICATE_UNTRUSTED, "the signing certificate (valid "
            + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant()
            + ") was not valid at the log's integrated time " + integrated, e);
      }
    }
    return new SignerInfo(san == null ? IdentityPolicy.identityOf(leaf) : san, certIssuer, integrated);
  }

  /** The OIDC issuer recorded by Fulcio (v2 extension, else the legacy v1 one), or null. */
  static String issuerOf(X509Certificate cert) {
    try {
      byte[] v2 = cert.getExtensionValue(OID_ISSUER_V2);
      if (v2 != null) {
        ASN1Primitive inner = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(v2).getOctets());
        if (inner instanceof ASN1String s) {
          return s.getString();
        }
      }
      byte[] v1 = cert.getExtensionValue(OID_ISSUER_V1);
      if (v1 != null) {
        return new String(ASN1OctetString.getInstance(v1).getOctets(), StandardCharsets.UTF_8);
      }
    } catch (java.io.IOException | IllegalArgumentException e) {
      return null;
    }
    return null;
  }

  @Override
  public String describe() {
    return "keyless identity " + identity + " issuer " + issuer + " root " + rootName;
  }

}
