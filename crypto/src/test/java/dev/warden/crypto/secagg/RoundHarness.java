package dev.warden.crypto.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test harness: n in-process clients and one server exchanging the real bytes of every phase. */
final class RoundHarness {
  static final SecureRandom RANDOM = new SecureRandom();

  final RoundConfig cfg;
  final SigningKey[] keys; // 1-based
  final SecAggClient[] clients;
  final SecAggServer server;
  /** What the server received, per phase and client (to play an attacker with the server's view). */
  final Map<Phase, Map<Integer, byte[]>> sent = new HashMap<>();

  RoundHarness(RoundConfig cfg, SigningKey[] keys, int minSurvivors) {
    this.cfg = cfg;
    this.keys = keys;
    this.server = new SecAggServer(cfg, minSurvivors);
    this.clients = new SecAggClient[cfg.cohortSize() + 1];
    for (int i = 1; i <= cfg.cohortSize(); i++) clients[i] = SecAggClient.create(cfg, i, keys[i], RANDOM);
    for (Phase p : Phase.values()) sent.put(p, new HashMap<>());
  }

  static SigningKey[] keys(int n) {
    SigningKey[] k = new SigningKey[n + 1];
    for (int i = 1; i <= n; i++) k[i] = SigningKey.generate(RANDOM);
    return k;
  }

  static RoundConfig config(String roundId, SigningKey[] keys, ThresholdParameters tp, int len, Ring ring, FixedPointEncoding enc) {
    List<RoundConfig.Member> cohort = new ArrayList<>();
    for (int i = 1; i < keys.length; i++) cohort.add(new RoundConfig.Member("org-" + i, keys[i].publicKey()));
    byte[] seed = new byte[32];
    RANDOM.nextBytes(seed);
    return RoundConfig.create(RoundConfig.DEFAULT_LABEL, roundId, cohort, tp, seed, len, ring, enc);
  }

  static RoundHarness create(int n, double dropout, int len, Ring ring) {
    SigningKey[] keys = keys(n);
    return new RoundHarness(config("round-" + n, keys, ThresholdParameters.derive(n, dropout, 0.1), len, ring, null), keys, 0);
  }

  private void send(Phase p, int i, byte[] msg) {
    sent.get(p).put(i, msg);
    server.accept(p, msg);
  }

  /**
   * Runs every phase; {@code dropBefore.get(i)} is the phase client i never sends (it stops there).
   * Returns the server's final state.
   */
  SecAggServer.State run(long[][] inputs, Map<Integer, Phase> dropBefore) {
    int n = cfg.cohortSize();
    for (int i = 1; i <= n; i++) {
      if (dropBefore.get(i) == Phase.ADVERTISE_KEYS) continue;
      send(Phase.ADVERTISE_KEYS, i, clients[i].advertiseKeys());
    }
    if (server.closePhase() == SecAggServer.State.FAILED) return server.state();
    for (int i : server.survivorsOf(Phase.ADVERTISE_KEYS)) {
      if (dropBefore.get(i) == Phase.SHARE_KEYS) continue;
      send(Phase.SHARE_KEYS, i, clients[i].shareKeys(server.advertisementsFor(i)));
    }
    if (server.closePhase() == SecAggServer.State.FAILED) return server.state();
    for (int i : server.survivorsOf(Phase.SHARE_KEYS)) {
      if (dropBefore.get(i) == Phase.MASKED_INPUT) continue;
      send(Phase.MASKED_INPUT, i, clients[i].maskedInput(server.sharesFor(i), inputs[i]));
    }
    if (server.closePhase() == SecAggServer.State.FAILED) return server.state();
    byte[] req = server.consistencyRequest();
    for (int i : server.survivorsOf(Phase.MASKED_INPUT)) {
      if (dropBefore.get(i) == Phase.CONSISTENCY_CHECK) continue;
      send(Phase.CONSISTENCY_CHECK, i, clients[i].consistencyCheck(req));
    }
    if (server.closePhase() == SecAggServer.State.FAILED) return server.state();
    byte[] ureq = server.unmaskRequest();
    for (int i : server.survivorsOf(Phase.CONSISTENCY_CHECK)) {
      if (dropBefore.get(i) == Phase.UNMASK) continue;
      send(Phase.UNMASK, i, clients[i].unmask(ureq));
    }
    return server.closePhase();
  }

  /** Random ring inputs, 1-based. */
  static long[][] randomInputs(int n, int len, Ring ring) {
    long[][] x = new long[n + 1][len];
    for (int i = 1; i <= n; i++) for (int k = 0; k < len; k++) x[i][k] = ring.reduce(RANDOM.nextLong());
    return x;
  }

  /** Σ_{i ∈ survivors} x_i in the ring. */
  static long[] plainSum(long[][] x, int[] survivors, Ring ring) {
    long[] s = new long[x[1].length];
    for (int i : survivors) for (int k = 0; k < s.length; k++) s[k] += x[i][k];
    ring.reduceInPlace(s);
    return s;
  }

  /** Drops ⌈fraction·n⌉ distinct random clients, spreading them over {@code phases} round-robin. */
  static Map<Integer, Phase> dropouts(int n, double fraction, Phase... phases) {
    int count = (int) Math.ceil(fraction * n - 1e-9);
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) ids.add(i);
    java.util.Collections.shuffle(ids, RANDOM);
    Map<Integer, Phase> m = new HashMap<>();
    for (int k = 0; k < count; k++) m.put(ids.get(k), phases[k % phases.length]);
    return m;
  }
}
