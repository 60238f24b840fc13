package dev.warden.verifier;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which certificate identities are acceptable in certificate mode (an addition of Warden's: {@code
 * model_signing} accepts any leaf that chains to the anchors). Matches either the subject DN (RFC 2253
 * form, e.g. {@code CN=signer,O=Example}) or any e-mail, DNS or URI subject alternative name, exactly or
 * with a regular expression that must match the whole value. Immutable.
 */
public final class IdentityPolicy {
  private enum Field { ANY, SUBJECT, SAN }

  private final Field field;
  private final String exact;
  private final Pattern regex;

  private IdentityPolicy(Field field, String exact, Pattern regex) {
    this.field = field;
    this.exact = exact;
    this.regex = regex;
  }

  /** Accepts every identity (only the chain is checked). */
  public static IdentityPolicy any() {
    return new IdentityPolicy(Field.ANY, null, null);
  }

  public static IdentityPolicy subjectEquals(String dn) {
    return new IdentityPolicy(Field.SUBJECT, Objects.requireNonNull(dn), null);
  }

  public static IdentityPolicy subjectMatches(String regex) {
    return new IdentityPolicy(Field.SUBJECT, null, Pattern.compile(regex));
  }

  public static IdentityPolicy sanEquals(String value) {
    return new IdentityPolicy(Field.SAN, Objects.requireNonNull(value), null);
  }

  public static IdentityPolicy sanMatches(String regex) {
    return new IdentityPolicy(Field.SAN, null, Pattern.compile(regex));
  }

  /** True when the policy accepts every identity. */
  public boolean acceptsAny() {
    return field == Field.ANY;
  }

  /** Checks {@code leaf}. */
  public void check(X509Certificate leaf) throws VerificationException {
    if (field == Field.ANY) {
      return;
    }
    List<String> values = field == Field.SUBJECT
        ? List.of(leaf.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253))
        : sans(leaf);
    for (String v : values) {
      if (exact != null ? exact.equals(v) : regex.matcher(v).matches()) {
        return;
      }
    }
    throw new VerificationException(VerificationException.Reason.IDENTITY_MISMATCH, "signing certificate identity "
        + values + " does not match the required " + (field == Field.SUBJECT ? "subject " : "SAN ")
        + (exact != null ? "'" + exact + "'" : "/" + regex.pattern() + "/"));
  }

  /** E-mail (1), DNS (2) and URI (6) subject alternative names. */
  static List<String> sans(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> all = cert.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> e : all) {
          int type = (Integer) e.get(0);
          if ((type == 1 || type == 2 || type == 6) && e.get(1) instanceof String s) {
            out.add(s);
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SAN
    }
    return out;
  }

  /** A certificate's display identity: first SAN, else subject DN. */
  static String identityOf(X509Certificate cert) {
    List<String> s = sans(cert);
    return s.isEmpty() ? cert.getSubjectX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253) : s.get(0);
  }

  @Override
  public String toString() {
    return field == Field.ANY ? "any identity"
        : field.name().toLowerCase(java.util.Locale.ROOT) + (exact != null ? " = " + exact : " ~ " + regex.pattern());
  }
}
