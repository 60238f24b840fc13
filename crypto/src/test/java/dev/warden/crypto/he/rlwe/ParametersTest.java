package dev.warden.crypto.he.rlwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ParametersTest {
  @Test
  void presets_meetThe128BitTable() {
    assertTrue(Parameters.CKKS_128_LOGN13_LOGQP200.isSecure());
    assertTrue(Parameters.CKKS_128_LOGN13_LOGQP200.logQP() <= 218);
    assertTrue(Parameters.CKKS_128_LOGN14_LOGQP320.logQP() <= 438);
    assertEquals(4096, Parameters.CKKS_128_LOGN13_LOGQP200.slots());
  }

  @Test
  void insecureSet_isRefused() {
    // N = 2^13 allows 218 bits of Q·P; 60·4 = 240 bits is too many
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Parameters.secure128(13, new int[] {60, 60, 60}, 60, 40));
    assertTrue(e.getMessage().contains("insecure"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Parameters.secure128(12, new int[] {40, 40}, 40, 30));
    assertThrows(IllegalArgumentException.class, () -> Parameters.secure128(9, new int[] {20}, 20, 10));
    // the explicitly named toy factory accepts it, and says so
    Parameters toy = Parameters.insecureToyForTesting(12, new int[] {40, 40}, 40, 30);
    assertFalse(toy.isSecure());
    assertTrue(toy.toString().contains("INSECURE"));
  }

  @Test
  void boundaryOfTheTable_isAccepted() {
    // 2^14: 438 bits; 7·60 = 420 bits is fine
    assertTrue(Parameters.secure128(14, new int[] {60, 60, 60, 60, 60, 60}, 60, 40).isSecure());
  }

  @Test
  void malformedSets_areRefused() {
    assertThrows(IllegalArgumentException.class, () -> Parameters.secure128(13, new int[] {60, 40}, 50, 40));
    assertThrows(IllegalArgumentException.class, () -> Parameters.secure128(13, new int[] {}, 60, 40));
    assertThrows(IllegalArgumentException.class, () -> Parameters.secure128(13, new int[] {62}, 62, 40));
  }

  @Test
  void fingerprint_distinguishesParameterSets() {
    assertNotEquals(Parameters.CKKS_128_LOGN13_LOGQP200, Parameters.CKKS_128_LOGN14_LOGQP320);
    assertEquals(Parameters.CKKS_128_LOGN13_LOGQP200, Parameters.secure128(13, new int[] {60, 40, 40}, 60, 40));
  }
}
