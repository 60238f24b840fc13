package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated and random bytes are refused with a SecAggException, never with another exception. */
class ParserFuzzTest {
  private final Random mutations = new Random(); // chooses which bytes to flip: not security relevant

  private byte[] mutate(byte[] b) {
    byte[] m = b.clone();
    switch (mutations.nextInt(4)) {
      case 0 -> m[mutations.nextInt(m.length)] ^= (byte) (1 << mutations.nextInt(8));
      case 1 -> m = Arrays.copyOf(m, mutations.nextInt(m.length));
      case 2 -> {
        m = Arrays.copyOf(m, m.length + 1 + mutations.nextInt(8));
        m[m.length - 1] = (byte) mutations.nextInt();
      }
      default -> {
        int i = mutations.nextInt(m.length);
        m[i] = (byte) mutations.nextInt();
        m[(i + 1) % m.length] = (byte) mutations.nextInt();
      }
    }
    return m;
  }

  private static void refused(Runnable r, byte[] input) {
    try {
      r.run();
    } catch (SecAggException expected) {
      return;
    } catch (RuntimeException e) {
      fail("input " + Arrays.toString(Arrays.copyOf(input, Math.min(64, input.length))) + " raised " + e, e);
    }
    // parsed: allowed only if it is a different but valid value (caller checks), so nothing to do
  }

  @Test
  void mutatedSignedMessagesAreAllRefusedByTheServer() {
    int n = 3;
    RoundHarness h = RoundHarness.create(n, 0.0, 4, Ring.Z2_32);
    long[][] x = RoundHarness.randomInputs(n, 4, Ring.Z2_32);
    h.run(x, Map.of());
    for (Phase p : Phase.values()) {
      byte[] good = h.sent.get(p).get(2);
      SecAggServer fresh = new SecAggServer(h.cfg, 0);
      if (p != Phase.ADVERTISE_KEYS) {
        assertEquals(SecAggException.Code.WRONG_PHASE, assertThrows(SecAggException.class, () -> fresh.accept(p, good)).code());
      }
      for (int k = 0; k < 300; k++) {
        byte[] m = mutate(good);
        if (Arrays.equals(m, good)) continue;
        SecAggException e = assertThrows(SecAggException.class, () -> fresh.accept(p, m), "a mutated " + p + " message was accepted");
        // refused by parsing or authentication, before any phase logic
        assertTrue(java.util.EnumSet.of(SecAggException.Code.MALFORMED, SecAggException.Code.BAD_SIGNATURE, SecAggException.Code.WRONG_ROUND,
            SecAggException.Code.NOT_ENROLLED).contains(e.code()), p + ": " + e.code() + " " + e.getMessage());
      }
    }
  }

  @Test
  void mutatedServerResponsesAndResultsNeverCrashTheParsers() {
    int n = 3;
    RoundHarness h = RoundHarness.create(n, 0.0, 4, Ring.Z2_32);
    long[][] x = RoundHarness.randomInputs(n, 4, Ring.Z2_32);
    for (int i = 1; i <= n; i++) h.server.accept(Phase.ADVERTISE_KEYS, h.clients[i].advertiseKeys());
    h.server.closePhase();
    byte[] adverts = h.server.advertisementsFor(1);
    for (int i = 1; i <= n; i++) h.server.accept(Phase.SHARE_KEYS, h.clients[i].shareKeys(h.server.advertisementsFor(i)));
    h.server.closePhase();
    byte[] shares = h.server.sharesFor(1);
    for (int i = 1; i <= n; i++) h.server.accept(Phase.MASKED_INPUT, h.clients[i].maskedInput(h.server.sharesFor(i), x[i]));
    h.server.closePhase();
    byte[] cons = h.server.consistencyRequest();
    for (int i = 1; i <= n; i++) h.server.accept(Phase.CONSISTENCY_CHECK, h.clients[i].consistencyCheck(cons));
    h.server.closePhase();
    byte[] unmask = h.server.unmaskRequest();
    for (int i = 1; i <= n; i++) h.server.accept(Phase.UNMASK, h.clients[i].unmask(unmask));
    h.server.closePhase();
    byte[] result = h.server.result().toBytes();
    byte[] cfg = h.cfg.toBytes();
    for (int k = 0; k < 300; k++) {
      byte[] a = mutate(adverts);
      refused(() -> {
        ByteReader r = Messages.openResponse(a, Messages.RESP_ADVERTISEMENTS, h.cfg, 1);
        for (Messages.Addressed ad : Messages.parseAddressed(r, n, 4096)) Messages.Advert.parse(Messages.open(ad.data(), h.cfg, Phase.ADVERTISE_KEYS, 0).body());
        r.end();
      }, a);
      byte[] s = mutate(shares);
      refused(() -> {
        ByteReader r = Messages.openResponse(s, Messages.RESP_SHARES, h.cfg, 1);
        Messages.parseAddressed(r, n, Messages.MAX_SEALED);
        r.end();
      }, s);
      byte[] u = mutate(unmask);
      refused(() -> {
        ByteReader r = Messages.openResponse(u, Messages.RESP_UNMASK, h.cfg, 0);
        Messages.parseIndices(r, n);
        Messages.parseAddressed(r, n, 4096);
        r.end();
      }, u);
      byte[] res = mutate(result);
      refused(() -> AggregateResult.parse(res, h.cfg), res);
      byte[] c = mutate(cfg);
      refused(() -> RoundConfig.parse(c), c);
      byte[] junk = new byte[mutations.nextInt(200)];
      mutations.nextBytes(junk);
      refused(() -> Messages.open(junk, h.cfg, Phase.UNMASK, 0), junk);
      refused(() -> Messages.parseReveals(junk, n), junk);
    }
    // and the client itself refuses a mutated bundle cleanly
    SecAggClient c = SecAggClient.create(h.cfg, 1, h.keys[1], RoundHarness.RANDOM);
    c.advertiseKeys();
    byte[] bad = adverts.clone();
    bad[bad.length - 1] ^= 1;
    assertThrows(SecAggException.class, () -> c.shareKeys(bad));
    assertEquals(SecAggClient.State.ABORTED, c.state());
  }
}
