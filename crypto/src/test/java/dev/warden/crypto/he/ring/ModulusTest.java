package dev.warden.crypto.he.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModulusTest {
  @Test
  void mulHiUnsigned_matchesBigInteger() {
    SplittableRandom r = new SplittableRandom(1);
    BigInteger two64 = BigInteger.ONE.shiftLeft(64);
    for (int i = 0; i < 10000; i++) {
      long a = r.nextLong();
      long b = r.nextLong();
      BigInteger ua = new BigInteger(Long.toUnsignedString(a));
      BigInteger ub = new BigInteger(Long.toUnsignedString(b));
      assertEquals(ua.multiply(ub).divide(two64).longValue(), Modulus.mulHiUnsigned(a, b));
    }
  }

  @Test
  void barrettAndShoup_matchBigInteger() {
    SplittableRandom r = new SplittableRandom(2);
    for (int bits : new int[] {20, 40, 59, 60, 61}) {
      long q = Primes.generate(bits, 10, 1, List.of())[0];
      Modulus m = new Modulus(q);
      BigInteger bq = BigInteger.valueOf(q);
      for (int i = 0; i < 5000; i++) {
        long a = r.nextLong(q);
        long b = r.nextLong(q);
        long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).mod(bq).longValue();
        assertEquals(expected, m.mul(a, b));
        assertEquals(expected, m.mulShoup(a, b, m.shoup(b)));
        long x = r.nextLong() >>> 1;
        assertEquals(BigInteger.valueOf(x).mod(bq).longValue(), m.reduceU64(x));
        assertEquals(BigInteger.valueOf(a).add(BigInteger.valueOf(b)).mod(bq).longValue(), m.add(a, b));
        assertEquals(BigInteger.valueOf(a).subtract(BigInteger.valueOf(b)).mod(bq).longValue(), m.sub(a, b));
      }
      for (long w : new long[] {0, 1, q - 1, q / 2, r.nextLong(q)}) {
        assertEquals(BigInteger.valueOf(w).shiftLeft(64).divide(bq).longValue(), m.shoup(w), "shoup(" + w + ")");
      }
      assertEquals(0, m.neg(0));
      assertEquals(1, m.mul(m.inv(12345), 12345));
    }
  }
}
