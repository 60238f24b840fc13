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
    // (d − 1)·var/σ² ~ χ²(d − 1): normal approximation, 5 standard deviations
    double z = (var / expected - 1) / Math.sqrt(2.0 / (d - 1));
    assertTrue(Math.abs(z) < 5, "variance " + var + " vs central σ² " + expected + " (z = " + z + ")");
    assertTrue(Math.abs(mean) < 5 * central / Math.sqrt(d), "noise sum is not centred: " + mean);
    // the same test notices noise at the per-client level only (it can fail)
    double zWrong = (var / (sc * sc) - 1) / Math.sqrt(2.0 / (d - 1));
    assertTrue(Math.abs(zWrong) > 5);
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
