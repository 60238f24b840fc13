package dev.warden.crypto.secagg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The symmetric and key-agreement building blocks, all in one place so a reviewer can read them together.
 *
 * <ul>
 *   <li>X25519 (RFC 7748, Bouncy Castle's constant-time ladder); an all-zero shared secret (a small-order
 *       peer key) is refused.
 *   <li>HKDF-SHA256 (RFC 5869) with salt = the round's context hash and an info string naming the purpose
 *       and both client indices, so no key is ever valid in another round, phase or pair.
 *   <li>AES-256-GCM with a fresh random 96-bit nonce; each key derived for share encryption encrypts exactly
 *       one message (direction-specific info), so a nonce can never repeat under one key.
 *   <li>Mask expansion: AES-256-CTR keystream (zero IV; each key is derived for one stream only), read as
 *       little-endian ring words. Every word is exactly uniform in the ring because 2^32 and 2^64 divide the
 *       keystream's 2^8 alphabet powers.
 * </ul>
 */
final class Primitives {
  private Primitives() {}

  static final int KEY_BYTES = 32;
  static final int GCM_NONCE_BYTES = 12;
  static final int GCM_TAG_BITS = 128;
  /** Keystream is produced in blocks of this many bytes to bound memory on long vectors. */
  private static final int PRG_CHUNK_BYTES = 1 << 16;

  static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) md.update(p);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Constant-time equality (the JDK's {@link MessageDigest#isEqual} is constant-time since 6u17). */
  static boolean ctEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  static boolean ctIsZero(byte[] a) {
    int acc = 0;
    for (byte x : a) acc |= x;
    return acc == 0;
  }

  static byte[] hkdf(byte[] ikm, byte[] salt, String purpose, int a, int b, int len) {
    byte[] p = purpose.getBytes(StandardCharsets.US_ASCII);
    byte[] info = new ByteWriter(p.length + 12).str("warden-secagg-v1/" + purpose).u32(a).u32(b).toByteArray();
    HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
    g.init(new HKDFParameters(ikm, salt, info));
    byte[] out = new byte[len];
    g.generateBytes(out, 0, len);
    return out;
  }

  // ---- X25519 ------------------------------------------------------------------------------------------

  static byte[] x25519PrivateKey(SecureRandom random) {
    byte[] k = new byte[X25519.SCALAR_SIZE];
    X25519.generatePrivateKey(random, k);
    return k;
  }

  static byte[] x25519PublicKey(byte[] privateKey) {
    byte[] pk = new byte[X25519.POINT_SIZE];
    X25519.generatePublicKey(privateKey, 0, pk, 0);
    return pk;
  }

  /** X25519(sk, peer); throws on an all-zero result (peer key of small order). */
  static byte[] x25519(byte[] sk, byte[] peerPublic) {
    byte[] out = new byte[32];
    boolean ok = X25519.calculateAgreement(sk, 0, peerPublic, 0, out, 0);
    if (!ok || ctIsZero(out)) {
      Arrays.fill(out, (byte) 0);
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION,
          "X25519 agreement gave the all-zero secret: a peer advertised a small-order public key");
    }
    return out;
  }

  // ---- AES-256-GCM -------------------------------------------------------------------------------------

  static byte[] gcmSeal(byte[] key, byte[] plaintext, byte[] aad, SecureRandom random) {
    byte[] nonce = new byte[GCM_NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(plaintext);
      byte[] out = new byte[nonce.length + ct.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(ct, 0, out, nonce.length, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  static byte[] gcmOpen(byte[] key, byte[] sealed, byte[] aad) {
    if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BITS / 8) {
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "encrypted share is too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(GCM_TAG_BITS, sealed, 0, GCM_NONCE_BYTES));
      c.updateAAD(aad);
      return c.doFinal(sealed, GCM_NONCE_BYTES, sealed.length - GCM_NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION,
          "encrypted share failed authentication (tampered, or not from the claimed sender)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  // ---- mask expansion ------------------------------------------------------------------------------------

  /**
   * acc[i] += sign * PRG(key)[i] for every i, with PRG = AES-256-CTR(key, IV 0) read as little-endian words
   * of the ring's width. Accumulation is mod 2^64; callers reduce to the ring at the end.
   */
  static void addMask(byte[] key, long[] acc, boolean subtract, Ring ring) {
    try {
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      int w = ring.bytesPerEntry();
      int perChunk = PRG_CHUNK_BYTES / w;
      byte[] zeros = new byte[perChunk * w];
      byte[] ks = new byte[perChunk * w];
      ByteBuffer bb = ByteBuffer.wrap(ks).order(ByteOrder.LITTLE_ENDIAN);
      for (int base = 0; base < acc.length; base += perChunk) {
        int n = Math.min(perChunk, acc.length - base);
        c.update(zeros, 0, n * w, ks, 0);
        if (w == 4) {
          for (int i = 0; i < n; i++) {
            long m = bb.getInt(i * 4) & 0xffffffffL;
            acc[base + i] = subtract ? acc[base + i] - m : acc[base + i] + m;
          }
        } else {
          for (int i = 0; i < n; i++) {
            long m = bb.getLong(i * 8);
            acc[base + i] = subtract ? acc[base + i] - m : acc[base + i] + m;
          }
        }
      }
      Arrays.fill(ks, (byte) 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR unavailable", e);
    }
  }

  /** The AES key that expands client {@code index}'s self-mask seed. */
  static byte[] selfMaskKey(byte[] seed, byte[] ctx, int index) {
    return hkdf(seed, ctx, "self-mask", index, index, KEY_BYTES);
  }

  /** The AES key that expands the pairwise mask of {a, b}, from their X25519 agreement. */
  static byte[] pairwiseMaskKey(byte[] sharedSecret, byte[] ctx, int a, int b) {
    return hkdf(sharedSecret, ctx, "pairwise-mask", Math.min(a, b), Math.max(a, b), KEY_BYTES);
  }

  /** The AES-GCM key for the single share message from {@code from} to {@code to}. */
  static byte[] shareKey(byte[] sharedSecret, byte[] ctx, int from, int to) {
    return hkdf(sharedSecret, ctx, "share-encryption", from, to, KEY_BYTES);
  }
}
