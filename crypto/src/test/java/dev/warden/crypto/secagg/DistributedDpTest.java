package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DistributedDpTest {

  @Test
  void noiseOfTheSurvivorsSumsToTheStatedCentralSigma() {
    int n = 6;
    int d = 3000;
    double central = 9.0;
    int minSurvivors = 5;
    double sc = DistributedDp.clientSigma(central, minSurvivors);
    FixedPointEncoding enc = new FixedPointEncoding(1.0, 8, false, sc, 1.0);
    SigningKey[] keys = RoundHarness.keys(n);
    RoundConfig cfg = RoundHarness.config("dp", keys, ThresholdParameters.derive(n, 0.2, 0.1), d, enc.ringFor(n), enc);
    RoundHarness h = new RoundHarness(cfg, keys, minSurvivors);
    long[][] x = new long[n + 1][];
    for (int i = 1; i <= n; i++) x[i] = DistributedDp.addNoise(new long[d], enc, cfg.ring()); // input 0, noise only
    // one client drops: exactly minSurvivors noise shares remain
    assertEquals(SecAggServer.State.COMPLETE, h.run(x, Map.of(6, Phase.MASKED_INPUT)), () -> h.server.failureReason());
    AggregateResult r = h.server.result();
    assertEquals(5, r.survivors().length);
    double mean = 0;
    double sq = 0;
    for (long v : r.sum()) {
      double s = cfg.ring().toSigned(v);
      mean += s;
      sq += s * s;
    }
    mean /= d;
    double var = sq / d - mean * mean;
    double expected = central * central; // = survivors · σ_c² (the discrete Gaussian's variance is σ² − O(e^{−2π²σ²}))
    // (d − 1)·var/σ² ~ χ²(d − 1): normal approximation. 7 standard deviations: at 5 the two checks failed about
    // one CI run in 10^6 (two-sided normal tail 5.7e-7 each, χ² skew makes the upper one heavier); at 7 the χ² tail
    // (Cornish–Fisher with skew √(8/2999)) is ≈ 2e-11 and the normal one 2.6e-12
    double z = (var / expected - 1) / Math.sqrt(2.0 / (d - 1));
    assertTrue(Math.abs(z) < 7, "variance " + var + " vs central σ² " + expected + " (z = " + z + ")");
    assertTrue(Math.abs(mean) < 7 * central / Math.sqrt(d), "noise sum is not centred: " + mean);
    // the same test notices noise at the per-client level only (it can fail)
    double zWrong = (var / (sc * sc) - 1) / Math.sqrt(2.0 / (d - 1));
    assertTrue(Math.abs(zWrong) > 7); // ≈ 155: per-client noise only would be caught by a wide margin
  }

  @Test
  void coordinatorReportsTheRoundsGuaranteeForItsActualSurvivors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    int d = 16;
    FixedPointEncoding enc = new FixedPointEncoding(1.0, 10, false, DistributedDp.clientSigma(50, 3), 1.0);
    SigningKey[] keys = RoundHarness.keys(4);
    RoundSpec.Builder spec = RoundSpec.builder().roundId("dp-round").encoding(enc, d).dropoutFraction(0.25).minSurvivors(3).reader("analyst");
    for (int i = 1; i <= 4; i++) spec.member("org-" + i, keys[i].publicKey());
    try (RoundCoordinator co = new RoundCoordinator(dir, java.time.Clock.systemUTC(), RoundHarness.RANDOM)) {
      RoundConfig cfg = RoundConfig.parse(co.createRound(spec.build()));
      SecAggClient[] c = new SecAggClient[5];
      for (int i = 1; i <= 4; i++) {
        c[i] = SecAggClient.create(cfg, i, keys[i], RoundHarness.RANDOM);
        co.submitAdvertisement("dp-round", c[i].advertiseKeys());
      }
      for (int i = 1; i <= 4; i++) co.submitShares("dp-round", c[i].shareKeys(co.advertisements("dp-round", i)));
      assertEquals(SecAggException.Code.NOT_READY, assertThrows(SecAggException.class, () -> co.privacyGuarantee("dp-round", 1e-6)).code());
      for (int i = 1; i <= 4; i++) {
        long[] v = DistributedDp.addNoise(enc.encode(new float[d], RoundHarness.RANDOM), enc, cfg.ring());
        co.submitMaskedInput("dp-round", c[i].maskedInput(co.shares("dp-round", i), v));
      }
      byte[] req = co.consistencyRequest("dp-round");
      for (int i = 1; i <= 4; i++) co.submitConsistencyCheck("dp-round", c[i].consistencyCheck(req));
      byte[] ureq = co.unmaskRequest("dp-round");
      for (int i = 1; i <= 4; i++) co.submitUnmask("dp-round", c[i].unmask(ureq));
      DistributedDp.Guarantee g = co.privacyGuarantee("dp-round", 1e-6).orElseThrow();
      assertEquals(4, g.survivors());
      assertEquals(DistributedDp.guarantee(enc, d, 4, 1e-6).epsilon(), g.epsilon(), 1e-12);
      assertTrue(g.centralSigma() >= 50, "at least the central σ with more than the minimum survivors");
      // the decoded mean of zero updates is within the noise of zero: 7σ per coordinate (at 6σ the 16
      // coordinates failed about one CI run in 5·10^7; at 7σ 16 · 2.6e-12 ≈ 4e-11)
      double[] mean = AggregateResult.parse(co.result("dp-round", "analyst"), cfg).decodeMean(enc);
      for (double m : mean) assertTrue(Math.abs(m) < 7 * g.centralSigma() * enc.step() / 4 + enc.step(), "mean " + m);
    }
  }

  @Test
  void guaranteeTightensWithNoiseAndSurvivors() {
    FixedPointEncoding weak = new FixedPointEncoding(1.0, 8, false, DistributedDp.clientSigma(200, 10), 1.0);
    FixedPointEncoding strong = new FixedPointEncoding(1.0, 8, false, DistributedDp.clientSigma(800, 10), 1.0);
    DistributedDp.Guarantee gw = DistributedDp.guarantee(weak, 100, 10, 1e-6);
    DistributedDp.Guarantee gs = DistributedDp.guarantee(strong, 100, 10, 1e-6);
    assertEquals(200, gw.centralSigma(), 1e-9);
    assertTrue(gs.epsilon() < gw.epsilon());
    assertTrue(DistributedDp.guarantee(weak, 100, 20, 1e-6).epsilon() < gw.epsilon(), "more survivors, more noise");
    // Δ₂ with L2 clip 1, clip c = 1, L = 255: 255 + 2·√100 = 275
    assertEquals(275, gw.l2Sensitivity(), 1e-9);
    // ρ ≈ Δ₂²/(2σ²) when τ is negligible
    assertEquals(275.0 * 275 / (2 * 200 * 200), gw.rho(), 1e-6);
    assertThrows(SecAggException.class, () -> DistributedDp.guarantee(new FixedPointEncoding(1, 8, false, 0), 10, 5, 1e-6));
  }
}
