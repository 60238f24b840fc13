package dev.warden.crypto.he.ring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class NttTest {
  private static final SplittableRandom RND = new SplittableRandom(42);

  /** O(N²) negacyclic product with Modulus.mul (itself checked against BigInteger in ModulusTest). */
  static long[] schoolbook(long[] a, long[] b, long q) {
    int n = a.length;
    Modulus m = new Modulus(q);
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        long p = m.mul(a[i], b[j]);
        int k = i + j;
        if (k < n) {
          r[k] = m.add(r[k], p);
        } else {
          r[k - n] = m.sub(r[k - n], p); // X^N = -1
        }
      }
    }
    return r;
  }

  static long[] random(int n, long q) {
    long[] a = new long[n];
    for (int i = 0; i < n; i++) {
      a[i] = RND.nextLong(q);
    }
    return a;
  }

  @ParameterizedTest
  @CsvSource({"3,30", "6,50", "8,60", "9,61", "10,40"})
  void nttProduct_equalsSchoolbookNegacyclicProduct(int logN, int bits) {
    long q = Primes.generate(bits, logN, 1, List.of())[0];
    RingContext ring = new RingContext(logN, new long[] {q});
    int n = 1 << logN;
    for (int trial = 0; trial < 3; trial++) {
      long[] a = random(n, q);
      long[] b = random(n, q);
      long[] expected = schoolbook(a, b, q);
      long[] fa = a.clone();
      long[] fb = b.clone();
      ring.forward(fa, 0);
      ring.forward(fb, 0);
      long[] prod = new long[n];
      ring.mul(fa, fb, prod, 0);
      ring.inverse(prod, 0);
      assertArrayEquals(expected, prod);
    }
  }

  @Test
  void inverseUndoesForward() {
    long q = Primes.generate(60, 13, 1, List.of())[0];
    RingContext ring = new RingContext(13, new long[] {q});
    long[] a = random(8192, q);
    long[] b = a.clone();
    ring.forward(b, 0);
    for (long v : b) {
      assertTrue(v >= 0 && v < q);
    }
    ring.inverse(b, 0);
    assertArrayEquals(a, b);
  }

  @Test
  void nttAutomorphism_matchesCoefficientAutomorphism() {
    int logN = 6;
    long q = Primes.generate(50, logN, 1, List.of())[0];
    RingContext ring = new RingContext(logN, new long[] {q});
    long[] a = random(64, q);
    for (long g : new long[] {5, 25, 127, 3}) {
      long[] expected = new long[64];
      ring.automorphismCoeff(a, g, expected, 0);
      long[] fa = a.clone();
      ring.forward(fa, 0);
      long[] out = new long[64];
      ring.automorphismNtt(fa, ring.automorphismNttIndex(g), out);
      ring.inverse(out, 0);
      assertArrayEquals(expected, out, "g=" + g);
    }
  }

  @Test
  void primes_areNttFriendlyAndBelowBound() {
    long[] ps = Primes.generate(61, 14, 3, List.of());
    for (long p : ps) {
      assertTrue(Primes.isPrime(p));
      assertEquals(1, p % (2L << 14));
      assertTrue(p < (1L << 61));
    }
    assertThrows(IllegalArgumentException.class, () -> Primes.generate(62, 14, 1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new RingContext(4, new long[] {101})); // 101 != 1 mod 32
  }
}
