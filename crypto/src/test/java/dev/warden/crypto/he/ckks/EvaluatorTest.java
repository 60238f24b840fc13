package dev.warden.crypto.he.ckks;

import static dev.warden.crypto.he.ckks.CkksTestSupport.bitsOfPrecision;
import static dev.warden.crypto.he.ckks.CkksTestSupport.decryptDecode;
import static dev.warden.crypto.he.ckks.CkksTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Decryptor;
import dev.warden.crypto.he.rlwe.Encryptor;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.PublicKey;
import dev.warden.crypto.he.rlwe.SecretKey;
import java.security.SecureRandom;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
  static final Parameters P = Parameters.CKKS_128_LOGN13_LOGQP200;
  /** Precision a public-key ciphertext keeps (see secretAndPublicKeyEncryption_decryptToTheMessage). */
  static final double PK_BITS = 20;
  static SecretKey sk;
  static PublicKey pk;
  static EvaluationKeys evk;
  static Encoder enc;
  static Encryptor encSk;
  static Encryptor encPk;
  static Decryptor dec;
  static Evaluator ev;
  static int slots;
  final SplittableRandom rnd = new SplittableRandom(11);

  @BeforeAll
  static void keys() {
    SecureRandom random = new SecureRandom();
    KeyGenerator kg = new KeyGenerator(P, random);
    sk = kg.genSecretKey();
    pk = kg.genPublicKey(sk);
    evk = kg.genEvaluationKeys(sk, true, List.of(1, 2, 4, 8, 16, 5, -3, 1000), true);
    enc = new Encoder(P);
    encSk = Encryptor.withSecretKey(sk, random);
    encPk = Encryptor.withPublicKey(pk, random);
    dec = new Decryptor(sk);
    ev = new Evaluator(P, evk);
    slots = P.slots();
  }

  Ciphertext encrypt(double[] v, boolean withPk) {
    return (withPk ? encPk : encSk).encrypt(enc.encode(v, P.maxLevel(), P.defaultScale()));
  }

  @Test
  void secretAndPublicKeyEncryption_decryptToTheMessage() {
    double[] v = randomVector(rnd, slots, 10);
    Ciphertext a = encrypt(v, false);
    Ciphertext b = encrypt(v, true);
    assertNotNull(a.seed(), "secret-key ciphertexts carry the seed of c1");
    assertNull(b.seed());
    assertTrue(bitsOfPrecision(v, decryptDecode(dec, enc, a)) > 25);
    // Public-key encryption: over 1000 encryptions with 25 fresh keys the worst slot had 23.2 ± 0.18 bits,
    // the worst of all 22.43, and the low tail falls by about e^-9 per bit. At > 22 that was some 1e-5 per
    // check (three per run); at > 20 about 1e-13. A broken encryption has no bits.
    assertTrue(bitsOfPrecision(v, decryptDecode(dec, enc, b)) > PK_BITS);
  }

  @Test
  void addSubAndPlainOps_matchDoubleArithmetic() {
    double[] x = randomVector(rnd, slots, 4);
    double[] y = randomVector(rnd, slots, 4);
    Ciphertext cx = encrypt(x, false);
    Ciphertext cy = encrypt(y, true);
    double[] sum = new double[slots];
    double[] diff = new double[slots];
    double[] prodPlain = new double[slots];
    for (int i = 0; i < slots; i++) {
      sum[i] = x[i] + y[i];
      diff[i] = x[i] - y[i];
      prodPlain[i] = x[i] * y[i];
    }
    assertTrue(bitsOfPrecision(sum, decryptDecode(dec, enc, ev.add(cx, cy))) > PK_BITS); // cy: public-key noise
    assertTrue(bitsOfPrecision(diff, decryptDecode(dec, enc, ev.sub(cx, cy))) > PK_BITS);
    var py = enc.encode(y, P.maxLevel(), P.q(P.maxLevel()));
    Ciphertext m = ev.rescale(ev.multiplyPlain(cx, py));
    assertEquals(P.maxLevel() - 1, m.level());
    assertEquals(P.defaultScale(), m.scale(), 1e-3);
    assertTrue(bitsOfPrecision(prodPlain, decryptDecode(dec, enc, m)) > 20);
    Ciphertext ap = ev.addPlain(cx, enc.encode(y, P.maxLevel(), P.defaultScale()));
    assertTrue(bitsOfPrecision(sum, decryptDecode(dec, enc, ap)) > 22);
  }

  @Test
  void multiplyRelinearizeRescale_matchesProduct() {
    double[] x = randomVector(rnd, slots, 2);
    double[] y = randomVector(rnd, slots, 2);
    double[] expected = new double[slots];
    double[] cube = new double[slots];
    for (int i = 0; i < slots; i++) {
      expected[i] = x[i] * y[i];
      cube[i] = x[i] * y[i] * x[i];
    }
    Ciphertext cx = encrypt(x, false);
    Ciphertext cy = encrypt(y, false);
    Ciphertext deg2 = ev.multiply(cx, cy);
    assertEquals(3, deg2.size());
    assertTrue(bitsOfPrecision(expected, decryptDecode(dec, enc, deg2)) > 20, "degree-2 decryption");
    Ciphertext r = ev.multiplyRelinRescale(cx, cy);
    assertEquals(2, r.size());
    assertEquals(P.maxLevel() - 1, r.level());
    assertTrue(bitsOfPrecision(expected, decryptDecode(dec, enc, r)) > 20);
    // depth 2: (x·y)·x with level alignment
    Ciphertext[] al = ev.alignLevels(r, cx);
    Ciphertext r2 = ev.multiplyRelinRescale(al[0], rescaleToMatch(al[1], al[0]));
    assertEquals(0, r2.level());
    assertTrue(bitsOfPrecision(cube, decryptDecode(dec, enc, r2)) > 15);
  }

  private Ciphertext rescaleToMatch(Ciphertext c, Ciphertext target) {
    // c has scale Δ at the same level as target; its scale differs slightly from target's: re-tag it
    Ciphertext copy = c.copy();
    copy.setScale(target.scale());
    return copy;
  }

  @Test
  void rotation_matchesPlainArrayRotation() {
    double[] x = randomVector(rnd, slots, 1);
    Ciphertext cx = encrypt(x, false);
    for (int step : new int[] {1, 5, -3, 1000}) {
      double[] expected = new double[slots];
      for (int i = 0; i < slots; i++) {
        expected[i] = x[Math.floorMod(i + step, slots)];
      }
      assertTrue(bitsOfPrecision(expected, decryptDecode(dec, enc, ev.rotate(cx, step))) > 22, "step " + step);
    }
    Ciphertext[] hoisted = ev.rotateHoisted(cx, new int[] {0, 1, 2, 4});
    for (int s = 0; s < 4; s++) {
      int step = new int[] {0, 1, 2, 4}[s];
      double[] expected = new double[slots];
      for (int i = 0; i < slots; i++) {
        expected[i] = x[(i + step) % slots];
      }
      assertTrue(bitsOfPrecision(expected, decryptDecode(dec, enc, hoisted[s])) > 22, "hoisted " + step);
    }
    assertThrows(IllegalStateException.class, () -> ev.rotate(cx, 3), "no key for step 3");
  }

  @Test
  void hoistedSumOfRotations_matchesPlainSum_atEveryLevel() {
    double[] x = randomVector(rnd, slots, 1);
    int[] steps = {4, 8, 1000};
    double[] expected = new double[slots];
    for (int i = 0; i < slots; i++) {
      expected[i] = x[i];
      for (int s : steps) {
        expected[i] += x[(i + s) % slots];
      }
    }
    Ciphertext top = encrypt(x, false);
    for (int level = P.maxLevel(); level >= 0; level--) {
      Ciphertext sum = ev.sumRotations(ev.dropLevel(top, level), steps);
      assertEquals(level, sum.level());
      assertTrue(bitsOfPrecision(expected, decryptDecode(dec, enc, sum)) > 20, "level " + level);
    }
    assertThrows(IllegalStateException.class, () -> ev.sumRotations(top, new int[] {3}), "no key for step 3");
  }

  @Test
  void conjugationAndSlotSum_matchPlainArithmetic() {
    double[] re = randomVector(rnd, slots, 1);
    double[] im = randomVector(rnd, slots, 1);
    Ciphertext c = encSk.encrypt(enc.encode(re, im, P.maxLevel(), P.defaultScale()));
    double[] dr = new double[slots];
    double[] di = new double[slots];
    enc.decode(dec.decrypt(ev.conjugate(c)), dr, di);
    double[] negIm = new double[slots];
    for (int i = 0; i < slots; i++) {
      negIm[i] = -im[i];
    }
    assertTrue(bitsOfPrecision(re, dr) > 22 && bitsOfPrecision(negIm, di) > 22);

    double[] x = randomVector(rnd, slots, 1);
    Ciphertext s = ev.sumSlots(encrypt(x, false), 32);
    double[] got = decryptDecode(dec, enc, s);
    double[] expected = new double[slots];
    for (int i = 0; i < slots; i++) {
      for (int t = 0; t < 32; t++) {
        expected[i] += x[(i + t) % slots];
      }
    }
    assertTrue(bitsOfPrecision(expected, got) > 18);
  }

  @Test
  void mismatchedLevelsOrScales_areRefused() {
    Ciphertext a = encrypt(new double[] {1}, false);
    Ciphertext b = ev.dropLevel(encrypt(new double[] {1}, false), 1);
    assertThrows(IllegalArgumentException.class, () -> ev.add(a, b));
    Ciphertext c = encrypt(new double[] {1}, false);
    c.setScale(c.scale() * 2);
    assertThrows(IllegalArgumentException.class, () -> ev.add(a, c));
    assertThrows(IllegalArgumentException.class, () -> ev.rescale(ev.dropLevel(a, 0)));
  }
}
