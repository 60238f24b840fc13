package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SecAggRoundTest {

  static Stream<Arguments> matrix() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (int n : new int[] {3, 20, 100}) {
      for (double d : new double[] {0.0, 0.1, 0.3}) {
        b.add(Arguments.of(n, d, Ring.Z2_32, new Phase[] {Phase.SHARE_KEYS, Phase.MASKED_INPUT, Phase.UNMASK}));
      }
    }
    // each drop point alone, and the 64-bit ring
    for (Phase p : Phase.values()) b.add(Arguments.of(20, 0.3, Ring.Z2_32, new Phase[] {p}));
    b.add(Arguments.of(20, 0.1, Ring.Z2_64, new Phase[] {Phase.MASKED_INPUT, Phase.UNMASK}));
    return b.build();
  }

  /**
   * Every case: real-valued updates are encoded (clip 1, 12 bits), run through a full round, and the result
   * must equal the plain ring sum of the survivors' encodings exactly, and decode to the survivors' clipped
   * mean within one quantisation step.
   */
  @ParameterizedTest(name = "n={0}, dropout={1}, {2}, drop before {3}")
  @MethodSource("matrix")
  void aggregateEqualsPlainSumOfSurvivors_andDecodesWithinTheEncodingError(int n, double dropout, Ring ring, Phase[] dropPhases) {
    int d = n == 100 ? 8 : 32;
    FixedPointEncoding enc = new FixedPointEncoding(1.0, 12, false, 0);
    SigningKey[] keys = RoundHarness.keys(n);
    RoundConfig cfg = RoundHarness.config("round-" + n, keys, ThresholdParameters.derive(n, dropout, 0.1), d, ring, enc);
    RoundHarness h = new RoundHarness(cfg, keys, 0);
    float[][] updates = new float[n + 1][d];
    long[][] x = new long[n + 1][];
    for (int i = 1; i <= n; i++) {
      for (int k = 0; k < d; k++) updates[i][k] = (float) (RoundHarness.RANDOM.nextGaussian() * 0.7);
      x[i] = enc.encode(updates[i], RoundHarness.RANDOM);
    }
    Map<Integer, Phase> drops = RoundHarness.dropouts(n, dropout, dropPhases);

    assertEquals(SecAggServer.State.COMPLETE, h.run(x, drops), () -> "round failed: " + h.server.failureReason());

    AggregateResult r = h.server.result();
    int[] expectedSurvivors = java.util.stream.IntStream.rangeClosed(1, n)
        .filter(i -> !drops.containsKey(i) || drops.get(i).ordinal() > Phase.MASKED_INPUT.ordinal()).toArray();
    assertArrayEquals(expectedSurvivors, r.survivors());
    assertArrayEquals(RoundHarness.plainSum(x, r.survivors(), ring), r.sum(), "exact in the ring");
    r.verifyRound(h.cfg);
    assertArrayEquals(r.sum(), AggregateResult.parse(r.toBytes(), h.cfg).sum());

    double[] mean = r.decodeMean(enc);
    for (int k = 0; k < d; k++) {
      double truth = 0;
      for (int i : r.survivors()) truth += Math.max(-1, Math.min(1, updates[i][k]));
      truth /= r.survivors().length;
      // every client's entry is within one step; so is the mean of the errors
      assertTrue(Math.abs(mean[k] - truth) <= enc.step(), "entry " + k + ": " + mean[k] + " vs " + truth);
    }
    assertTrue(Arrays.stream(mean).allMatch(v -> v >= -1 && v <= 1));
  }

  @ParameterizedTest(name = "sparse Harary graph n=40, k={0}, t={1}, dropout={2}")
  @MethodSource("sparseMatrix")
  void sparseGraphRound_givesTheExactSum(int k, int t, double dropout) {
    int n = 40;
    int len = 16;
    SigningKey[] keys = RoundHarness.keys(n);
    RoundConfig cfg = RoundHarness.config("sparse", keys, ThresholdParameters.of(n, k, t), len, Ring.Z2_32, null);
    assertTrue(!cfg.thresholdParameters().completeGraph());
    RoundHarness h = new RoundHarness(cfg, keys, 0);
    long[][] x = RoundHarness.randomInputs(n, len, Ring.Z2_32);
    Map<Integer, Phase> drops = RoundHarness.dropouts(n, dropout, Phase.SHARE_KEYS, Phase.MASKED_INPUT, Phase.UNMASK);
    assertEquals(SecAggServer.State.COMPLETE, h.run(x, drops), () -> "round failed: " + h.server.failureReason());
    AggregateResult r = h.server.result();
    assertEquals(n - drops.values().stream().filter(p -> p.ordinal() <= Phase.MASKED_INPUT.ordinal()).count(), r.survivors().length);
    assertArrayEquals(RoundHarness.plainSum(x, r.survivors(), Ring.Z2_32), r.sum());
    // a client's messages went only to its neighbours
    Messages.Signed shares = Messages.open(h.sent.get(Phase.SHARE_KEYS).values().iterator().next(), cfg, Phase.SHARE_KEYS, 0);
    ByteReader br = new ByteReader(shares.body(), "test");
    for (Messages.Addressed a : Messages.parseAddressed(br, n, Messages.MAX_SEALED)) assertTrue(cfg.graph().adjacent(shares.sender(), a.peer()));
  }

  static Stream<Arguments> sparseMatrix() {
    return Stream.of(Arguments.of(10, 7, 0.1), Arguments.of(16, 10, 0.1));
  }
}
