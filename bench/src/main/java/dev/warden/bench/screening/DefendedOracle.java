package dev.warden.bench.screening;

import dev.warden.detectors.attack.ScoreOracle;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.screen.Screen;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.screen.ScreenResult;
import dev.warden.detectors.screen.Verdict;
import dev.warden.detectors.train.DenseNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The demo model behind the screening stage, as an attacker sees it under one response policy, with
 * the attacker's adaptive tricks (query blinding, account rotation) applied on the client side.
 * Records which queries were flagged and by which screen.
 */
final class DefendedOracle implements ScoreOracle {
  enum Policy { AUDIT, BLOCK, SILENT, THROTTLE }

  /** Attacker's simulated wall-clock budget under THROTTLE. */
  static final long TIME_BUDGET_MS = 10 * 60_000;
  /** Simulated cost of one unthrottled query. */
  static final long BASE_MS = 20;
  /** First back-off after a flag; doubles per flag, capped. */
  static final long BACKOFF_START_MS = 1_000;
  static final long BACKOFF_MAX_MS = 60_000;

  private final DenseNetwork network;
  private final Screen screen;
  private final Policy policy;
  private final double blindSigma;
  private final int rotateEvery;
  private final String tenantPrefix;
  private final Random noise;
  private final float max;
  private final String model;

  int queries;
  int flaggedAny;
  int flaggedStore;
  int flaggedAutoencoder;
  int firstFlag = -1;
  long simulatedMs;
  private float[] lastServed;
  private final Map<String, Long> backoff = new HashMap<>();

  DefendedOracle(DenseNetwork model, Screen screen, Policy policy, double blindSigma, int rotateEvery, String tenantPrefix, long seed) {
    this(model, screen, policy, blindSigma, rotateEvery, tenantPrefix, seed, 16f, "digits");
  }

  /** For any image schema: pixel values in {@code 0..max}, requests to model {@code modelName}. */
  DefendedOracle(DenseNetwork model, Screen screen, Policy policy, double blindSigma, int rotateEvery, String tenantPrefix, long seed,
      float max, String modelName) {
    this.max = max;
    this.model = modelName;
    this.network = model;
    this.screen = screen;
    this.policy = policy;
    this.blindSigma = blindSigma;
    this.rotateEvery = rotateEvery;
    this.tenantPrefix = tenantPrefix;
    this.noise = new Random(seed);
  }

  @Override
  public float[] query(float[] x) throws Refused {
    float[] sent = x;
    if (blindSigma > 0) {
      sent = x.clone();
      for (int i = 0; i < sent.length; i++) sent[i] = (float) Math.max(0, Math.min(max, sent[i] + noise.nextGaussian() * blindSigma * max));
    }
    String tenant = tenantPrefix + (rotateEvery > 0 ? "-" + (queries / rotateEvery) : "");
    queries++;
    if (policy == Policy.THROTTLE) {
      simulatedMs += BASE_MS + backoff.getOrDefault(tenant, 0L);
      if (simulatedMs > TIME_BUDGET_MS) throw new Refused("time budget exhausted by throttling");
    }
    ScreenResult r = screen.screen(ScreenInput.ofTensors(tenant, model, model,
        List.of(Tensor.ofFloats("input", new long[] {1, sent.length}, sent))), null);
    boolean flagged = r.flagged();
    for (Verdict v : r.verdicts()) {
      if (!v.flagged()) continue;
      if (v.screen().equals("query-store")) flaggedStore++;
      if (v.screen().equals("autoencoder")) flaggedAutoencoder++;
    }
    if (flagged) {
      flaggedAny++;
      if (firstFlag < 0) firstFlag = queries;
      switch (policy) {
        case BLOCK -> throw new Refused("input_rejected");
        case SILENT -> {
          if (lastServed != null) return lastServed.clone();
          float[] fixed = new float[network.outputSize()];
          java.util.Arrays.fill(fixed, 0.1f);
          return fixed;
        }
        case THROTTLE -> backoff.merge(tenant, BACKOFF_START_MS, (a, b) -> Math.min(BACKOFF_MAX_MS, a * 2));
        case AUDIT -> { }
      }
    }
    float[] answer = network.forward(sent);
    lastServed = answer;
    return answer;
  }
}
