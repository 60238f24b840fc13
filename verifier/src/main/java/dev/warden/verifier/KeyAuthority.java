package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.oms.SigstoreBundle;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * Key mode: the bundle must be signed by one ECDSA public key (P-256, P-384 or P-521 with SHA-256,
 * SHA-384 or SHA-512). A {@code publicKey.hint} that names another key is refused before the signature
 * is checked, with a message saying so; a legacy {@code publicKey.rawBytes} must be the same key.
 */
public final class KeyAuthority implements SignatureAuthority {
  private final PublicKey key;
  private final String hint;

  public KeyAuthority(PublicKey key) throws VerificationException {
    EcCurve.of(key);
    this.key = key;
    this.hint = Pem.keyHint(key);
  }

  @Override
  public SignerInfo authenticate(SigstoreBundle bundle, byte[] bundleJson, byte[] rootDigest) throws VerificationException {
    String bundleHint = bundle.publicKeyHint();
    if (bundleHint != null && !bundleHint.isEmpty()
        && !MessageDigest.isEqual(bundleHint.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            hint.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      throw new VerificationException(Reason.KEY_MISMATCH, "the signature's publicKey.hint " + abbreviate(bundleHint)
          + " does not match the configured public key (" + abbreviate(hint) + ")");
    }
    byte[] raw = bundle.publicKeyRawBytes();
    if (raw != null) {
      PublicKey legacy = Pem.parsePublicKey(raw);
      if (!Arrays.equals(legacy.getEncoded(), key.getEncoded())) {
        throw new VerificationException(Reason.KEY_MISMATCH,
            "the signature's publicKey.rawBytes names another key than the configured public key");
      }
    }
    byte[] pae = dev.warden.verifier.oms.Dsse.pae(bundle.payloadType(), bundle.payload());
    if (!EcCurve.verify(key, pae, bundle.signature())) {
      throw new VerificationException(Reason.SIGNATURE_INVALID,
          "the DSSE signature does not verify with the configured public key (wrong key or altered payload)");
    }
    return new SignerInfo("key:sha256:" + hint, null, null);
  }

  /** The configured key's hint. */
  public String hint() {
    return hint;
  }

  @Override
  public String describe() {
    return "key sha256:" + hint;
  }

  private static String abbreviate(String h) {
    String s = h.length() > 16 ? h.substring(0, 16) + "..." : h;
    return s.replaceAll("[^0-9A-Za-z.]", "?");
  }
}
