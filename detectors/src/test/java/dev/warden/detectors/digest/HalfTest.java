package dev.warden.detectors.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfTest {
  @Test
  void everyNonNanHalf_survivesTheRoundTripThroughFloat() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Half.toFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))), Integer.toHexString(h));
      } else {
        assertEquals(h, Half.fromFloat(f) & 0xFFFF, Integer.toHexString(h));
      }
    }
  }

  @Test
  void knownValues_matchIeee754Binary16() {
    assertEquals(1.0f, Half.toFloat((short) 0x3C00));
    assertEquals(-2.0f, Half.toFloat((short) 0xC000));
    assertEquals(65504f, Half.toFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, Half.toFloat((short) 0x0001), "smallest subnormal");
    assertEquals(0x1p-14f, Half.toFloat((short) 0x0400), "smallest normal");
    assertEquals(Float.POSITIVE_INFINITY, Half.toFloat((short) 0x7C00));
  }

  @Test
  void fromFloat_roundsToNearestEven_andOverflowsToInfinity() {
    assertEquals(0x3C00, Half.fromFloat(1.0f + 0x1p-11f) & 0xFFFF, "a tie rounds to the even 1.0");
    assertEquals(0x3C02, Half.fromFloat(1.0f + 3 * 0x1p-11f) & 0xFFFF, "a tie rounds to the even neighbour");
    assertEquals(0x3C01, Half.fromFloat(1.0f + 0x1p-11f + 0x1p-20f) & 0xFFFF, "above the tie rounds up");
    assertEquals(0x7C00, Half.fromFloat(65520f) & 0xFFFF, "65520 rounds past the largest finite half");
    assertEquals(0x8000, Half.fromFloat(-0x1p-30f) & 0xFFFF, "underflow keeps the sign");
  }
}
