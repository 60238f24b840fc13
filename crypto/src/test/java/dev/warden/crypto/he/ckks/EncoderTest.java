package dev.warden.crypto.he.ckks;

import static dev.warden.crypto.he.ckks.CkksTestSupport.bitsOfPrecision;
import static dev.warden.crypto.he.ckks.CkksTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EncoderTest {
  private static final Parameters P = Parameters.CKKS_128_LOGN13_LOGQP200;

  @Test
  void encodeDecode_errorBelow2ToMinus30_atScale2To40() {
    Encoder enc = new Encoder(P);
    SplittableRandom r = new SplittableRandom(7);
    double[] re = randomVector(r, enc.slots(), 1);
    double[] im = randomVector(r, enc.slots(), 1);
    for (int level : new int[] {0, P.maxLevel()}) {
      Plaintext pt = enc.encode(re, im, level, 0x1p40);
      double[] dr = new double[enc.slots()];
      double[] di = new double[enc.slots()];
      enc.decode(pt, dr, di);
      double bits = Math.min(bitsOfPrecision(re, dr), bitsOfPrecision(im, di));
      assertTrue(bits > 30, "precision " + bits + " bits at level " + level);
    }
  }

  @Test
  void twoWordPath_encodesValuesBeyond2To62() {
    Encoder enc = new Encoder(P);
    double[] v = {3.0e6, -2.5e6, 1.0, 0.5}; // |Δ·z| ≈ 2^61.4 … with Δ = 2^41 it passes 2^62
    Plaintext pt = enc.encode(v, P.maxLevel(), 0x1p41);
    double[] d = enc.decode(pt);
    assertTrue(bitsOfPrecision(v, d) > 20, "two-word path lost precision");
  }

  @Test
  void productOfEncodings_isSlotwiseProduct() {
    Encoder enc = new Encoder(P);
    SplittableRandom r = new SplittableRandom(8);
    double[] a = randomVector(r, enc.slots(), 1);
    double[] b = randomVector(r, enc.slots(), 1);
    Plaintext pa = enc.encode(a, 1, 0x1p30);
    Plaintext pb = enc.encode(b, 1, 0x1p30);
    long[][] prod = new long[2][];
    for (int i = 0; i < 2; i++) {
      prod[i] = new long[P.n()];
      P.ring().mul(pa.poly()[i], pb.poly()[i], prod[i], i);
    }
    double[] d = enc.decode(new Plaintext(prod, 1, 0x1p60));
    double[] expected = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      expected[i] = a[i] * b[i];
    }
    assertTrue(bitsOfPrecision(expected, d) > 15);
  }

  @Test
  void nonFiniteInput_isRefused() {
    Encoder enc = new Encoder(P);
    assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[] {Double.NaN}, 0, 0x1p40));
    assertThrows(IllegalArgumentException.class, () -> enc.encode(new double[enc.slots() + 1], 0, 0x1p40));
  }
}
