package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Building blocks: field, sharing, graph, parameters, encodings. */
class UnitsTest {

  @Test
  void fieldArithmetic_matchesBigIntegerModP() {
    BigInteger p = BigInteger.valueOf(Shamir.P);
    assertTrue(p.isProbablePrime(100));
    for (int i = 0; i < 2000; i++) {
      long a = (RoundHarness.RANDOM.nextLong() >>> 3) % Shamir.P;
      long b = (RoundHarness.RANDOM.nextLong() >>> 3) % Shamir.P;
      BigInteger A = BigInteger.valueOf(a);
      BigInteger B = BigInteger.valueOf(b);
      assertEquals(A.multiply(B).mod(p).longValue(), Shamir.mul(a, b));
      assertEquals(A.add(B).mod(p).longValue(), Shamir.add(a, b));
      assertEquals(A.subtract(B).mod(p).longValue(), Shamir.sub(a, b));
      if (a != 0) assertEquals(1, Shamir.mul(a, Shamir.inv(a)));
    }
    assertEquals(0, Shamir.mul(Shamir.P - 1, 0));
    assertEquals(1, Shamir.mul(Shamir.P - 1, Shamir.P - 1));
  }

  @Test
  void anyTSharesReconstruct_andInconsistentSharesAreDetected() {
    byte[] secret = new byte[32];
    Arrays.fill(secret, (byte) 0xff); // the largest secret
    int[] xs = {1, 2, 3, 4, 5, 6, 7};
    byte[][] sh = Shamir.split(secret, 4, xs, RoundHarness.RANDOM);
    assertArrayEquals(secret, Shamir.reconstruct(new int[] {1, 3, 5, 7}, new byte[][] {sh[0], sh[2], sh[4], sh[6]}));
    assertArrayEquals(secret, Shamir.reconstruct(new int[] {2, 4, 6, 7}, new byte[][] {sh[1], sh[3], sh[5], sh[6]}));
    byte[] bad = sh[1].clone();
    bad[39] ^= 1;
    // a corrupted share reconstructs something that is not a 32-byte secret (or a different one)
    try {
      assertFalse(Arrays.equals(secret, Shamir.reconstruct(new int[] {1, 2, 3, 4}, new byte[][] {sh[0], bad, sh[2], sh[3]})));
    } catch (SecAggException e) {
      assertEquals(SecAggException.Code.PROTOCOL_VIOLATION, e.code());
    }
    byte[] notField = new byte[Shamir.SHARE_BYTES];
    Arrays.fill(notField, (byte) 0xff);
    assertEquals(SecAggException.Code.MALFORMED, assertThrows(SecAggException.class, () -> Shamir.validate(notField)).code());
  }

  @Test
  void hararyGraph_isRegularSymmetricDeterministicAndSeedDependent() {
    byte[] seed = new byte[32];
    RoundHarness.RANDOM.nextBytes(seed);
    NeighbourGraph g = NeighbourGraph.harary(500, 20, seed);
    for (int i = 1; i <= 500; i++) {
      int[] nb = g.neighbours(i);
      assertEquals(20, nb.length);
      assertEquals(20, new HashSet<>(Arrays.asList(Arrays.stream(nb).boxed().toArray())).size());
      for (int j : nb) {
        assertNotEquals(i, j);
        assertTrue(g.adjacent(j, i), "graph must be symmetric");
      }
    }
    assertArrayEquals(g.neighbours(17), NeighbourGraph.harary(500, 20, seed).neighbours(17));
    byte[] seed2 = seed.clone();
    seed2[0] ^= 1;
    assertFalse(Arrays.equals(g.neighbours(17), NeighbourGraph.harary(500, 20, seed2).neighbours(17)));
    NeighbourGraph c = NeighbourGraph.complete(4);
    assertArrayEquals(new int[] {1, 2, 4}, c.neighbours(3));
  }

  @Test
  void thresholdDerivation_followsTheDocumentedRules() {
    ThresholdParameters small = ThresholdParameters.derive(3, 0.3, 0.1);
    assertTrue(small.completeGraph());
    assertEquals(2, small.threshold());
    ThresholdParameters twenty = ThresholdParameters.derive(20, 0.3, 0.1);
    assertEquals(11, twenty.threshold()); // majority of 20
    assertThrows(SecAggException.class, () -> ThresholdParameters.derive(10, 0.49, 0.1)); // 5 dropouts, t = 6

    ThresholdParameters big = ThresholdParameters.derive(10_000, 0.1, 0.1);
    assertFalse(big.completeGraph());
    int k = big.degree();
    int t = big.threshold();
    int m = k + 1;
    assertTrue(k < 400, "degree should be O(log n), got " + k);
    assertTrue(t > m / 2);
    double ln2 = Math.log(2);
    assertTrue(Math.log(10_000) + ThresholdParameters.logUpperTail(k, 0.1, t) <= -ThresholdParameters.SECURITY_BITS * ln2);
    assertTrue(Math.log(10_000) + ThresholdParameters.logUpperTail(m, 0.1, m - t + 1) <= -ThresholdParameters.CORRECTNESS_BITS * ln2);
    // minimality of k: the next smaller even degree admits no threshold
    int k2 = k - 2;
    int m2 = k2 + 1;
    int tMin = m2 / 2 + 1;
    while (tMin <= m2 && Math.log(10_000) + ThresholdParameters.logUpperTail(k2, 0.1, tMin) > -ThresholdParameters.SECURITY_BITS * ln2) tMin++;
    assertTrue(tMin > m2 || Math.log(10_000) + ThresholdParameters.logUpperTail(m2, 0.1, m2 - tMin + 1) > -ThresholdParameters.CORRECTNESS_BITS * ln2);
    // degree grows slowly with n
    assertTrue(ThresholdParameters.derive(100_000, 0.1, 0.1).degree() < k + 100);
  }

  @Test
  void binomialTail_matchesDirectSum() {
    double direct = 0;
    for (int i = 3; i <= 10; i++) direct += choose(10, i) * Math.pow(0.2, i) * Math.pow(0.8, 10 - i);
    assertEquals(Math.log(direct), ThresholdParameters.logUpperTail(10, 0.2, 3), 1e-9);
  }

  private static double choose(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
    return r;
  }

  @Test
  void ringChoice_preventsWrapAndStochasticRoundingIsUnbiased() {
    FixedPointEncoding e = new FixedPointEncoding(2.0, 16, false, 0);
    assertEquals(Ring.Z2_32, e.ringFor(1000)); // 1000 · 65535 < 2^31
    assertEquals(Ring.Z2_64, e.ringFor(40_000)); // 40000 · 65535 > 2^31
    assertEquals(Ring.Z2_64, new FixedPointEncoding(1, 30, false, 0).ringFor(3));
    // extreme inputs clip and still sum without wrap in the chosen ring
    int n = 1000;
    Ring ring = e.ringFor(n);
    long[] sum = new long[2];
    for (int i = 0; i < n; i++) {
      long[] v = e.encode(new float[] {1e9f, -1e9f}, RoundHarness.RANDOM);
      sum[0] += v[0];
      sum[1] += v[1];
    }
    ring.reduceInPlace(sum);
    double[] mean = e.decodeMean(sum, ring, n);
    assertEquals(2.0, mean[0], 1e-9);
    assertEquals(-2.0, mean[1], 1e-9);
    // unbiased: the mean of many encodings of 0.3 is close to 0.3 (coarse grid so rounding matters)
    FixedPointEncoding coarse = new FixedPointEncoding(1.0, 2, false, 0);
    int reps = 20_000;
    long s = 0;
    for (int i = 0; i < reps; i++) s += coarse.encode(new float[] {0.3f}, RoundHarness.RANDOM)[0];
    double m = coarse.decodeMean(new long[] {s}, Ring.Z2_64, reps)[0];
    assertEquals(0.3, m, 6 * coarse.step() / Math.sqrt(reps)); // ~6 standard errors
    assertThrows(SecAggException.class, () -> e.encode(new float[] {Float.NaN}, RoundHarness.RANDOM));
  }

  @Test
  void weightCoordinate_givesTheWeightedMean() {
    FixedPointEncoding e = new FixedPointEncoding(1.0, 20, true, 0);
    float[][] u = {{0.5f, -0.2f}, {-0.1f, 0.9f}, {0.3f, 0.3f}};
    double[] w = {1.0, 0.25, 0.5};
    long[] sum = new long[3];
    for (int i = 0; i < 3; i++) {
      long[] v = e.encode(u[i], w[i], RoundHarness.RANDOM);
      assertEquals(3, v.length);
      for (int k = 0; k < 3; k++) sum[k] += v[k];
    }
    double[] mean = e.decodeMean(sum, e.ringFor(3), 3);
    for (int k = 0; k < 2; k++) {
      double num = 0;
      for (int i = 0; i < 3; i++) num += w[i] * u[i][k];
      assertEquals(num / 1.75, mean[k], 1e-4);
    }
    assertEquals(1.75, e.decodeWeightSum(sum, e.ringFor(3)), 1e-5);
  }

  @Test
  void roundConfig_roundTripsCanonicallyAndRefusesVariants() {
    RoundConfig cfg = RoundHarness.config("cfg-test", RoundHarness.keys(4), ThresholdParameters.derive(4, 0.2, 0.1), 10, Ring.Z2_32,
        new FixedPointEncoding(1.5, 8, true, 0));
    byte[] b = cfg.toBytes();
    RoundConfig back = RoundConfig.parse(b);
    assertArrayEquals(cfg.contextHash(), back.contextHash());
    assertEquals("org-3", back.member(3).name());
    assertTrue(back.encoding().orElseThrow().weighted());
    byte[] trailing = Arrays.copyOf(b, b.length + 1);
    assertEquals(SecAggException.Code.MALFORMED, assertThrows(SecAggException.class, () -> RoundConfig.parse(trailing)).code());
    for (int i = 0; i < b.length; i += 7) {
      byte[] mutated = b.clone();
      mutated[i] ^= 0x40;
      try {
        RoundConfig m = RoundConfig.parse(mutated);
        assertFalse(Arrays.equals(cfg.contextHash(), m.contextHash()), "a different encoding must have a different context");
      } catch (SecAggException expected) {
        // refused: fine
      }
    }
  }

  @Test
  void roundIdsThatCouldEscapeTheStateDirectory_areRefused() {
    SigningKey[] keys = RoundHarness.keys(3);
    for (String bad : new String[] {"..", ".hidden", "a/b", "", "x".repeat(65)}) {
      assertEquals(SecAggException.Code.INVALID_ARGUMENT, assertThrows(SecAggException.class,
          () -> RoundHarness.config(bad, keys, ThresholdParameters.derive(3, 0.3, 0.1), 4, Ring.Z2_32, null)).code(), bad);
    }
    assertEquals("round-1.v2", RoundHarness.config("round-1.v2", keys, ThresholdParameters.derive(3, 0.3, 0.1), 4, Ring.Z2_32, null).roundId());
  }

  @Test
  void signingKey_roundTripsAndHidesSecrets() {
    SigningKey k = SigningKey.generate(RoundHarness.RANDOM);
    SigningKey k2 = SigningKey.fromPrivateKeyBytes(k.exportPrivateKeyInsecure());
    assertArrayEquals(k.publicKey(), k2.publicKey());
    byte[] sig = k.sign(new byte[] {1, 2, 3});
    assertTrue(SigningKey.verify(k2.publicKey(), new byte[] {1, 2, 3}, sig));
    assertFalse(SigningKey.verify(k2.publicKey(), new byte[] {1, 2, 4}, sig));
    Set<String> shown = Set.of(k.toString());
    String hex = new BigInteger(1, k.exportPrivateKeyInsecure()).toString(16);
    assertFalse(shown.iterator().next().contains(hex));
  }
}
