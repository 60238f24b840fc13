package dev.warden.crypto.secagg;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A client's enrolled Ed25519 signing key (RFC 8032). The 32-byte raw public key is what the cohort
 * enrols; every message the client sends is signed with this key.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>{@link #toString()} shows the public key fingerprint only, never secret bytes.
 *   <li>The private key is read only through {@link #exportPrivateKeyInsecure()}, named so every use can be
 *       found by grep (the CLI writes it to a file with owner-only permissions).
 * </ul>
 */
public final class SigningKey {
  public static final int PUBLIC_KEY_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;

  private final Ed25519PrivateKeyParameters sk;
  private final byte[] pk;

  private SigningKey(Ed25519PrivateKeyParameters sk) {
    this.sk = sk;
    this.pk = sk.generatePublicKey().getEncoded();
  }

  /** A fresh key from the given {@link SecureRandom}. */
  public static SigningKey generate(SecureRandom random) {
    return new SigningKey(new Ed25519PrivateKeyParameters(random));
  }

  /** Loads a key from its 32-byte RFC 8032 seed (as written by {@link #exportPrivateKeyInsecure()}). */
  public static SigningKey fromPrivateKeyBytes(byte[] seed) {
    if (seed == null || seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "Ed25519 private key must be 32 bytes");
    }
    return new SigningKey(new Ed25519PrivateKeyParameters(seed, 0));
  }

  /** The raw 32-byte public key to enrol. */
  public byte[] publicKey() {
    return pk.clone();
  }

  /** The 32-byte private seed. Dangerous: only for storing the key at rest. */
  public byte[] exportPrivateKeyInsecure() {
    return sk.getEncoded();
  }

  byte[] sign(byte[] message) {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, sk);
    s.update(message, 0, message.length);
    return s.generateSignature();
  }

  /** True iff {@code sig} is a valid Ed25519 signature of {@code message} under raw public key {@code pk}. */
  static boolean verify(byte[] pk, byte[] message, byte[] sig) {
    return verify(pk, new byte[0], message, 0, message.length, sig);
  }

  /** Verifies a signature over {@code prefix ‖ message[off, off + len)} without copying the message. */
  static boolean verify(byte[] pk, byte[] prefix, byte[] message, int off, int len, byte[] sig) {
    if (pk.length != PUBLIC_KEY_BYTES || sig.length != SIGNATURE_BYTES) return false;
    try {
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(pk, 0));
      v.update(prefix, 0, prefix.length);
      v.update(message, off, len);
      return v.verifySignature(sig);
    } catch (RuntimeException e) {
      return false; // invalid point encoding
    }
  }

  /** Short public fingerprint: first 8 bytes of SHA-256(public key), base64url. */
  public static String fingerprint(byte[] publicKey) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(Primitives.sha256(publicKey), 8));
  }

  @Override
  public String toString() {
    return "SigningKey[Ed25519, public " + fingerprint(pk) + "]";
  }
}
