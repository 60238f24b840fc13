package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundCoordinatorTest {
  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    long millis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    void advance(Duration d) {
      millis += d.toMillis();
    }
  }

  final ManualClock clock = new ManualClock();

  RoundSpec spec(String id, SigningKey[] keys, int len) {
    RoundSpec.Builder b = RoundSpec.builder().roundId(id).vectorLength(len).dropoutFraction(0.3).minSurvivors(2)
        .timeouts(Duration.ofSeconds(30)).reader("analyst");
    for (int i = 1; i < keys.length; i++) b.member("org-" + i, keys[i].publicKey());
    return b.build();
  }

  @Test
  void roundSurvivesARestartInEveryPhase_andGivesTheExactSum() {
    int n = 5;
    int len = 16;
    SigningKey[] keys = RoundHarness.keys(n);
    RoundCoordinator co = new RoundCoordinator(dir, clock, RoundHarness.RANDOM);
    RoundConfig cfg = RoundConfig.parse(co.createRound(spec("r1", keys, len)));
    SecAggClient[] c = new SecAggClient[n + 1];
    for (int i = 1; i <= n; i++) c[i] = SecAggClient.create(cfg, i, keys[i], RoundHarness.RANDOM);
    long[][] x = RoundHarness.randomInputs(n, len, Ring.Z2_32);

    for (int i = 1; i <= n; i++) assertTrue(co.submitAdvertisement("r1", c[i].advertiseKeys()));
    co = restart(co);
    assertEquals("SHARE_KEYS", co.status("r1").state());
    for (int i = 1; i <= n; i++) co.submitShares("r1", c[i].shareKeys(co.advertisements("r1", i)));
    co = restart(co);
    for (int i = 1; i <= 4; i++) co.submitMaskedInput("r1", c[i].maskedInput(co.shares("r1", i), x[i])); // 5 drops
    final RoundCoordinator open = co;
    assertEquals(SecAggException.Code.NOT_READY, assertThrows(SecAggException.class, () -> open.consistencyRequest("r1")).code());
    clock.advance(Duration.ofSeconds(31));
    co.tick();
    co = restart(co);
    assertEquals(4, co.status("r1").survivors().get(Phase.MASKED_INPUT));
    byte[] req = co.consistencyRequest("r1");
    for (int i = 1; i <= 4; i++) co.submitConsistencyCheck("r1", c[i].consistencyCheck(req));
    byte[] ureq = co.unmaskRequest("r1");
    for (int i = 1; i <= 2; i++) co.submitUnmask("r1", c[i].unmask(ureq));
    co = restart(co);
    byte[] lastUnmask = c[3].unmask(ureq);
    assertTrue(co.submitUnmask("r1", lastUnmask));
    clock.advance(Duration.ofSeconds(31));
    RoundStatus st = co.status("r1");
    assertEquals("COMPLETE", st.state(), st.toJson());
    assertTrue(st.toJson().contains("\"state\":\"COMPLETE\""));

    AggregateResult r = AggregateResult.parse(co.result("r1", "analyst"), cfg);
    assertArrayEquals(new int[] {1, 2, 3, 4}, r.survivors());
    assertArrayEquals(RoundHarness.plainSum(x, r.survivors(), Ring.Z2_32), r.sum());
    co = restart(co);
    assertArrayEquals(r.sum(), AggregateResult.parse(co.result("r1", "analyst"), cfg).sum(), "result after restart");
    final RoundCoordinator fin = co;
    assertEquals(SecAggException.Code.FORBIDDEN, assertThrows(SecAggException.class, () -> fin.result("r1", "org-1")).code());
    assertEquals(SecAggException.Code.WRONG_PHASE, assertThrows(SecAggException.class, () -> fin.submitUnmask("r1", lastUnmask)).code());
    assertEquals(SecAggException.Code.NOT_FOUND, assertThrows(SecAggException.class, () -> fin.status("nope")).code());
    fin.close();
  }

  private RoundCoordinator restart(RoundCoordinator co) {
    co.close();
    return new RoundCoordinator(dir, clock, RoundHarness.RANDOM);
  }

  @Test
  void roundThatCannotReachItsThreshold_failsWithAClearStatus() {
    SigningKey[] keys = RoundHarness.keys(3);
    List<String> events = new ArrayList<>();
    try (RoundCoordinator co = new RoundCoordinator(dir, clock, RoundHarness.RANDOM,
        (id, phase, got, expected, state, why, at) -> events.add(id + " " + phase + " " + got + "/" + expected + " " + state))) {
      RoundConfig cfg = RoundConfig.parse(co.createRound(spec("thin", keys, 4)));
      co.submitAdvertisement("thin", SecAggClient.create(cfg, 1, keys[1], RoundHarness.RANDOM).advertiseKeys());
      clock.advance(Duration.ofSeconds(29));
      assertEquals("ADVERTISE_KEYS", co.status("thin").state());
      clock.advance(Duration.ofSeconds(2));
      RoundStatus st = co.status("thin");
      assertTrue(st.failed());
      assertEquals("only 1 of 3 clients completed ADVERTISE_KEYS; at least 2 are required", st.failureReason());
      assertEquals(List.of("thin ADVERTISE_KEYS 1/3 FAILED"), events);
      assertEquals(Instant.ofEpochMilli(clock.millis()), st.endedAt());
      byte[] late = SecAggClient.create(cfg, 2, keys[2], RoundHarness.RANDOM).advertiseKeys();
      assertEquals(SecAggException.Code.ROUND_FAILED, assertThrows(SecAggException.class, () -> co.submitAdvertisement("thin", late)).code());
      assertEquals(SecAggException.Code.ROUND_FAILED, assertThrows(SecAggException.class, () -> co.result("thin", "analyst")).code());
    }
    try (RoundCoordinator again = new RoundCoordinator(dir, clock, RoundHarness.RANDOM)) {
      assertTrue(again.status("thin").failed(), "failure survives a restart");
    }
  }

  @Test
  void tornJournalTailIsCutButADamagedJournalIsRefused() throws IOException {
    SigningKey[] keys = RoundHarness.keys(3);
    try (RoundCoordinator co = new RoundCoordinator(dir, clock, RoundHarness.RANDOM)) {
      RoundConfig cfg = RoundConfig.parse(co.createRound(spec("torn", keys, 4)));
      co.submitAdvertisement("torn", SecAggClient.create(cfg, 1, keys[1], RoundHarness.RANDOM).advertiseKeys());
      co.createRound(spec("flip", keys, 4));
      co.submitAdvertisement("flip", SecAggClient.create(RoundConfig.parse(co.roundConfig("flip")), 2, keys[2], RoundHarness.RANDOM).advertiseKeys());
      assertEquals(SecAggException.Code.INVALID_ARGUMENT, assertThrows(SecAggException.class, () -> co.createRound(spec("flip", keys, 4))).code());
    }
    Path torn = dir.resolve("torn").resolve(RoundJournal.JOURNAL_FILE);
    long size = Files.size(torn);
    Files.write(torn, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 7}, StandardOpenOption.APPEND); // half a record
    Path flip = dir.resolve("flip").resolve(RoundJournal.JOURNAL_FILE);
    byte[] f = Files.readAllBytes(flip);
    f[40] ^= 1;
    Files.write(flip, f);
    try (RoundCoordinator co = new RoundCoordinator(dir, clock, RoundHarness.RANDOM)) {
      assertEquals(1, co.status("torn").received());
      assertEquals(size, Files.size(torn));
      SecAggException e = assertThrows(SecAggException.class, () -> co.status("flip"));
      assertEquals(SecAggException.Code.IO, e.code());
      assertTrue(e.getMessage().contains("damaged"), e.getMessage());
      assertFalse(co.roundIds().contains("flip"));
    }
  }
}
