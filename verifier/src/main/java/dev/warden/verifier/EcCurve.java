package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/** The three curves model signing supports, each with its hash (as in Sigstore's protobuf specs). */
public enum EcCurve {
  P256("secp256r1", "SHA256withECDSA"),
  P384("secp384r1", "SHA384withECDSA"),
  P521("secp521r1", "SHA512withECDSA");

  private final String curveName;
  private final String signatureAlgorithm;

  EcCurve(String curveName, String signatureAlgorithm) {
    this.curveName = curveName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  public String curveName() {
    return curveName;
  }

  /** JCA name of ECDSA with this curve's hash. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** JCA parameters of the curve. */
  public ECParameterSpec params() {
    try {
      AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
      ap.init(new ECGenParameterSpec(curveName));
      return ap.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks curve " + curveName, e);
    }
  }

  /** The curve of {@code params}, refusing any other curve. */
  public static EcCurve of(ECParameterSpec params) throws VerificationException {
    for (EcCurve c : values()) {
      ECParameterSpec p = c.params();
      if (p.getOrder().equals(params.getOrder()) && p.getCurve().equals(params.getCurve())
          && p.getGenerator().equals(params.getGenerator())) {
        return c;
      }
    }
    throw new VerificationException(Reason.UNSUPPORTED, "unsupported elliptic curve (only P-256, P-384, P-521)");
  }

  /** The curve of an EC key, refusing non-EC keys. */
  public static EcCurve of(Key key) throws VerificationException {
    if (!(key instanceof ECKey ec)) {
      throw new VerificationException(Reason.UNSUPPORTED, "only elliptic-curve keys are supported, got " + key.getAlgorithm());
    }
    return of(ec.getParams());
  }

  /** Verifies a DER ECDSA signature with the curve's hash. */
  static boolean verify(PublicKey key, byte[] message, byte[] signature) throws VerificationException {
    EcCurve c = of(key);
    try {
      Signature s = Signature.getInstance(c.signatureAlgorithm);
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (java.security.SignatureException e) {
      return false; // malformed DER signature
    } catch (GeneralSecurityException e) {
      throw new VerificationException(Reason.UNSUPPORTED, "cannot verify with this key: " + e.getMessage(), e);
    }
  }
}
