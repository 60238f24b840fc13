package dev.warden.crypto.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SerializationTest {
  static final Parameters P = Parameters.CKKS_128_LOGN13_LOGQP200;
  static SecretKey sk;
  static PublicKey pk;
  static SecureRandom random = new SecureRandom();

  @BeforeAll
  static void keys() {
    KeyGenerator kg = new KeyGenerator(P, random);
    sk = kg.genSecretKey();
    pk = kg.genPublicKey(sk);
  }

  static Plaintext randomPlaintext(int level) {
    long[][] m = P.ring().newPoly(level + 1);
    for (int i = 0; i <= level; i++) {
      m[i][0] = 12345;
      m[i][7] = 999;
    }
    return new Plaintext(m, level, P.defaultScale());
  }

  static void assertSameCiphertext(Ciphertext a, Ciphertext b) {
    assertEquals(a.size(), b.size());
    assertEquals(a.level(), b.level());
    assertEquals(a.scale(), b.scale());
    for (int d = 0; d < a.size(); d++) {
      for (int i = 0; i <= a.level(); i++) {
        assertArrayEquals(a.poly(d)[i], b.poly(d)[i]);
      }
    }
  }

  @Test
  void seededCiphertext_roundTripsAtHalfSize() {
    Ciphertext ct = Encryptor.withSecretKey(sk, random).encrypt(randomPlaintext(P.maxLevel()));
    Ciphertext full = Encryptor.withPublicKey(pk, random).encrypt(randomPlaintext(P.maxLevel()));
    byte[] seeded = Serialization.write(ct, P);
    byte[] unseeded = Serialization.write(full, P);
    assertSameCiphertext(ct, Serialization.readCiphertext(seeded, P));
    assertSameCiphertext(full, Serialization.readCiphertext(unseeded, P));
    assertTrue(seeded.length < unseeded.length * 0.51, seeded.length + " vs " + unseeded.length);
    // bit-packed: 8192 · (60+40+40) bits · 2 polynomials
    assertEquals(8192 * 140 * 2 / 8, unseeded.length, 64);
    Ciphertext lower = Encryptor.withSecretKey(sk, random).encrypt(randomPlaintext(0));
    assertSameCiphertext(lower, Serialization.readCiphertext(Serialization.write(lower, P), P));
  }

  @Test
  void keys_roundTrip() {
    KeyGenerator kg = new KeyGenerator(P, random);
    EvaluationKeys evk = kg.genEvaluationKeys(sk, true, List.of(1, -1, 7), true);
    EvaluationKeys back = Serialization.readEvaluationKeys(Serialization.write(evk), P);
    assertEquals(evk.galoisKeys().keySet(), back.galoisKeys().keySet());
    for (long g : evk.galoisKeys().keySet()) {
      assertArrayEquals(evk.galoisKey(g).a()[1][2], back.galoisKey(g).a()[1][2]);
      assertArrayEquals(evk.galoisKey(g).b()[2][3], back.galoisKey(g).b()[2][3]);
    }
    assertArrayEquals(evk.relinKey().b()[0][0], back.relinKey().b()[0][0]);
    PublicKey pk2 = Serialization.readPublicKey(Serialization.write(pk), P);
    assertArrayEquals(pk.a()[2], pk2.a()[2]);
    assertArrayEquals(pk.b()[1], pk2.b()[1]);
    SwitchingKey rk = Serialization.readSwitchingKey(Serialization.write(evk.relinKey()), P);
    assertArrayEquals(evk.relinKey().a()[2][1], rk.a()[2][1]);
  }

  @Test
  void truncatedInput_isRejectedAtEveryLength() {
    Ciphertext ct = Encryptor.withSecretKey(sk, random).encrypt(randomPlaintext(1));
    byte[] data = Serialization.write(ct, P);
    for (int len : new int[] {0, 2, 4, 5, 20, 21, 22, 30, 31, 40, 60, data.length / 2, data.length - 1}) {
      byte[] cut = Arrays.copyOf(data, len);
      assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(cut, P), "length " + len);
    }
    byte[] longer = Arrays.copyOf(data, data.length + 1);
    assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(longer, P));
    byte[] pkData = Serialization.write(pk);
    assertThrows(IllegalArgumentException.class,
        () -> Serialization.readPublicKey(Arrays.copyOf(pkData, pkData.length - 3), P));
  }

  @Test
  void tamperedInput_isRejected() {
    Ciphertext ct = Encryptor.withPublicKey(pk, random).encrypt(randomPlaintext(2));
    byte[] data = Serialization.write(ct, P);
    int[][] edits = {
        {0, 'X'}, // magic
        {3, 9}, // version
        {4, 2}, // type
        {10, 0x55}, // fingerprint
        {21, 7}, // size
        {22, 9}, // level above max
        {23, 0xff}, // scale: NaN / negative
        {31, 2}, // flags
    };
    for (int[] e : edits) {
      byte[] t = data.clone();
      t[e[0]] = (byte) (t[e[0]] ^ e[1]);
      assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(t, P), "offset " + e[0]);
    }
    // a coefficient ≥ q: set the first 60-bit coefficient to all ones
    byte[] t = data.clone();
    for (int i = 32; i < 32 + 7; i++) {
      t[i] = (byte) 0xff;
    }
    t[39] |= 0x0f;
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(t, P));
    assertTrue(ex.getMessage().contains("not reduced"), ex.getMessage());
    // other parameters
    Parameters other = Parameters.CKKS_128_LOGN14_LOGQP320;
    assertThrows(IllegalArgumentException.class, () -> Serialization.readCiphertext(data, other));
    // wrong object type
    assertThrows(IllegalArgumentException.class, () -> Serialization.readPublicKey(data, P));
  }
}
