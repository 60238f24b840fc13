package dev.warden.crypto.he.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Encryptor;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.SecretKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SafeDecryptorTest {
  static final Parameters P = Parameters.CKKS_128_LOGN13_LOGQP200;
  static final SecureRandom RANDOM = new SecureRandom();
  static SecretKey sk;
  static Encoder enc;
  static Encryptor encryptor;
  static Evaluator ev;

  @BeforeAll
  static void setUp() {
    KeyGenerator kg = new KeyGenerator(P, RANDOM);
    sk = kg.genSecretKey();
    EvaluationKeys evk = kg.genEvaluationKeys(sk, true, List.of(), false);
    enc = new Encoder(P);
    encryptor = Encryptor.withSecretKey(sk, RANDOM);
    ev = new Evaluator(P, evk);
  }

  /** The "backend's answer": x·y at level 1. */
  static Ciphertext answer(double[] x, double[] y) {
    Ciphertext a = encryptor.encrypt(enc.encode(x, 2, P.defaultScale()));
    Ciphertext b = encryptor.encrypt(enc.encode(y, 2, P.defaultScale()));
    return ev.multiplyRelinRescale(a, b);
  }

  static double expectedScale() {
    return P.defaultScale() * P.defaultScale() / P.q(2);
  }

  @Test
  void wellShapedAnswer_isDecryptedFloodedRoundedAndMasked() {
    AtomicLong counter = new AtomicLong();
    SafeDecryptor dec = SafeDecryptor.builder(sk, RANDOM)
        .expect(1, expectedScale())
        .outputSlots(0, 1, 2)
        .flooding(30, 0x1p-20)
        .outputBits(12)
        .keyUseLimits(2, 3, counter)
        .build();
    Ciphertext ct = answer(new double[] {1.5, -2, 0.25, 7}, new double[] {2, 3, 4, 5});
    SafeDecryptor.Result r = dec.decrypt(ct);
    double[] v = r.values();
    assertEquals(3, v.length, "only the declared slots leave");
    // Flooding with s = 30 and B = 2^-20 adds noise of standard deviation about 2^15 * 2^-20 = 2^-5 per slot
    // (it costs s/2 bits, see SafeDecryptor); 0.05 was 1.6 sigma and failed about one run in ten. 6 sigma:
    double tolerance = 6 * 0x1p-5;
    assertEquals(3.0, v[0], tolerance);
    assertEquals(-6.0, v[1], tolerance);
    assertEquals(1.0, v[2], tolerance);
    for (double x : v) {
      assertEquals(0, x * 4096 - Math.rint(x * 4096), 1e-9, "rounded to 2^-12");
    }
    assertEquals(1, r.keyUses());
    assertFalse(r.rotationDue());
    dec.decrypt(ct);
    assertTrue(dec.decrypt(ct).rotationDue());
    assertThrows(SafeDecryptor.KeyExhaustedException.class, () -> dec.decrypt(ct));
  }

  @Test
  void flooding_changesTheLowBitsBetweenDecryptions() {
    SafeDecryptor dec = SafeDecryptor.builder(sk, RANDOM).expect(1, expectedScale()).outputSlots(0)
        .flooding(24, 0x1p-20).outputBits(40).build();
    Ciphertext ct = answer(new double[] {1}, new double[] {1});
    double a = dec.decrypt(ct).values()[0];
    double b = dec.decrypt(ct).values()[0];
    assertNotEquals(a, b, "fresh flooding noise per decryption");
    assertEquals(1.0, a, 0.1);
  }

  @Test
  void wrongShape_isRefusedBeforeTheKeyIsUsed() {
    AtomicLong counter = new AtomicLong();
    SafeDecryptor dec = SafeDecryptor.builder(sk, RANDOM).expect(1, expectedScale()).outputSlots(0)
        .keyUseLimits(10, 10, counter).build();
    Ciphertext good = answer(new double[] {1}, new double[] {1});
    // a fresh ciphertext at the top level (wrong level)
    Ciphertext top = encryptor.encrypt(enc.encode(new double[] {1}, 2, P.defaultScale()));
    assertThrows(IllegalArgumentException.class, () -> dec.decrypt(top));
    // degree 2 (unrelinearised) at the right level
    Ciphertext deg2 = ev.multiply(ev.dropLevel(top, 1), ev.dropLevel(top, 1));
    assertThrows(IllegalArgumentException.class, () -> dec.decrypt(deg2));
    // right level, wrong scale
    Ciphertext scaled = good.copy();
    scaled.setScale(scaled.scale() * 1.5);
    assertThrows(IllegalArgumentException.class, () -> dec.decrypt(scaled));
    assertEquals(0, counter.get(), "refused ciphertexts never reach the secret key");
    dec.decrypt(good);
    assertEquals(1, counter.get());
  }

  @Test
  void builder_requiresExpectationsAndMask() {
    assertThrows(IllegalStateException.class, () -> SafeDecryptor.builder(sk, RANDOM).outputSlots(0).build());
    assertThrows(IllegalStateException.class, () -> SafeDecryptor.builder(sk, RANDOM).expect(0, 2).build());
    assertThrows(IllegalArgumentException.class, () -> SafeDecryptor.builder(sk, RANDOM).outputSlots(P.slots()));
  }
}
