package dev.warden.crypto.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecAggSecurityTest {

  /** χ² statistic of counts against the uniform distribution. */
  static double chiSquare(long[] counts) {
    long total = Arrays.stream(counts).sum();
    double e = (double) total / counts.length;
    double x = 0;
    for (long c : counts) x += (c - e) * (c - e) / e;
    return x;
  }

  /** χ² over the 256 byte values of the ring words: df = 255; 370 is past the 1 − 10^−6 quantile. */
  static double byteChiSquare(long[] v, Ring ring) {
    long[] counts = new long[256];
    for (byte b : ring.encode(v)) counts[b & 0xff]++;
    return chiSquare(counts);
  }

  /** χ² over the top 4 bits of each word: df = 15; 50 is past the 1 − 10^−5 quantile. */
  static double topBitsChiSquare(long[] v, Ring ring) {
    long[] counts = new long[16];
    for (long x : v) counts[(int) (ring.reduce(x) >>> (ring.bits() - 4)) & 15]++;
    return chiSquare(counts);
  }

  @Test
  void serversViewOfOneMaskedVector_isIndistinguishableFromUniform() {
    int len = 4096;
    RoundHarness h = RoundHarness.create(3, 0.0, len, Ring.Z2_32);
    long[][] x = new long[4][len]; // all-zero inputs: as structured as an input can be
    Arrays.fill(x[2], 7);
    assertEquals(SecAggServer.State.COMPLETE, h.run(x, Map.of()));
    Messages.Signed s = Messages.open(h.sent.get(Phase.MASKED_INPUT).get(1), h.cfg, Phase.MASKED_INPUT, Messages.SERVER);
    long[] seen = Ring.Z2_32.decode(s.body(), 0, len);
    assertTrue(byteChiSquare(seen, Ring.Z2_32) < 370, "byte histogram of the masked vector is not uniform");
    assertTrue(topBitsChiSquare(seen, Ring.Z2_32) < 50, "high bits of the masked vector are not uniform");
    // the same test rejects the unmasked input (so it can fail)
    assertTrue(byteChiSquare(x[2], Ring.Z2_32) > 370);
    // and the sum is still exact
    assertArrayEquals(RoundHarness.plainSum(x, new int[] {1, 2, 3}, Ring.Z2_32), h.server.result().sum());
  }

  @Test
  void tMinusOneShares_areConsistentWithEverySecret() {
    int[] holders = {3, 5, 8, 9, 12};
    int t = 3;
    byte[] secret = new byte[32];
    RoundHarness.RANDOM.nextBytes(secret);
    byte[][] shares = Shamir.split(secret, t, holders, RoundHarness.RANDOM);
    assertArrayEquals(secret, Shamir.reconstruct(new int[] {5, 9, 12}, new byte[][] {shares[1], shares[3], shares[4]}));
    // with t−1 shares, any other secret is explained by one choice of the missing share: nothing is learned
    byte[] other = new byte[32];
    RoundHarness.RANDOM.nextBytes(other);
    int[] xs = {3, 5, 7};
    long[] lambda = Shamir.lagrangeAtZero(xs);
    byte[] forged = new byte[Shamir.SHARE_BYTES];
    byte[] target = Shamir.split(other, 1, new int[] {1}, RoundHarness.RANDOM)[0]; // degree-0: the chunks of `other`
    for (int c = 0; c < Shamir.CHUNKS; c++) {
      long want = chunk(target, c);
      long known = Shamir.add(Shamir.mul(lambda[0], chunk(shares[0], c)), Shamir.mul(lambda[1], chunk(shares[1], c)));
      long y = Shamir.mul(Shamir.sub(want, known), Shamir.inv(lambda[2]));
      for (int k = 7; k >= 0; k--) forged[8 * c + k] = (byte) (y >>> (8 * (7 - k)));
    }
    assertArrayEquals(other, Shamir.reconstruct(xs, new byte[][] {shares[0], shares[1], forged}));
  }

  private static long chunk(byte[] share, int c) {
    long v = 0;
    for (int k = 0; k < 8; k++) v = (v << 8) | (share[8 * c + k] & 0xff);
    return v;
  }

  @Test
  void serverWithTMinusOneUnmaskMessages_cannotUnmask() {
    RoundHarness h = RoundHarness.create(5, 0.3, 8, Ring.Z2_32); // t = 3 of 5
    assertEquals(3, h.cfg.threshold());
    long[][] x = RoundHarness.randomInputs(5, 8, Ring.Z2_32);
    // three clients stop before unmasking: only 2 = t − 1 unmask messages arrive
    SecAggServer.State s = h.run(x, Map.of(3, Phase.UNMASK, 4, Phase.UNMASK, 5, Phase.UNMASK));
    assertEquals(SecAggServer.State.FAILED, s);
    assertTrue(h.server.failureReason().contains("only 2"), h.server.failureReason());
    assertEquals(SecAggException.Code.ROUND_FAILED, assertThrows(SecAggException.class, h.server::result).code());
  }

  @Test
  void lateInputOfAClientDeclaredDropped_isRefusedAndStaysHiddenByItsSelfMask() {
    int n = 5;
    int len = 2048;
    RoundHarness h = RoundHarness.create(n, 0.3, len, Ring.Z2_32);
    long[][] x = new long[n + 1][len]; // zeros: the late client's input is known to the test, not to the server
    assertEquals(SecAggServer.State.COMPLETE, h.run(x, Map.of(5, Phase.MASKED_INPUT)));
    assertArrayEquals(new int[] {1, 2, 3, 4}, h.server.result().survivors());

    // the client wakes up and sends its masked input after all
    byte[] late = h.clients[5].maskedInput(h.server.sharesFor(5), x[5]);
    SecAggException e = assertThrows(SecAggException.class, () -> h.server.accept(Phase.MASKED_INPUT, late));
    assertEquals(SecAggException.Code.WRONG_PHASE, e.code());

    // even a server that keeps it: it reconstructs client 5's masking key from the unmask messages …
    List<Integer> xs = new ArrayList<>();
    List<byte[]> ys = new ArrayList<>();
    for (var m : h.sent.get(Phase.UNMASK).entrySet()) {
      for (Messages.Reveal v : Messages.parseReveals(Messages.open(m.getValue(), h.cfg, Phase.UNMASK, 0).body(), n)) {
        if (v.owner() == 5) {
          assertEquals(Messages.KIND_MASK_KEY, v.kind(), "a dropped client's self-mask seed share was revealed");
          xs.add(m.getKey());
          ys.add(v.share());
        }
      }
    }
    byte[] sk5 = Shamir.reconstruct(xs.stream().mapToInt(Integer::intValue).limit(3).toArray(), ys.subList(0, 3).toArray(new byte[0][]));
    // … and strips every pairwise mask from the late vector
    long[] y = Ring.Z2_32.decode(Messages.open(late, h.cfg, Phase.MASKED_INPUT, 0).body(), 0, len);
    byte[] ctx = h.cfg.contextHash();
    for (int j = 1; j <= 4; j++) {
      Messages.Advert a = Messages.Advert.parse(Messages.open(h.sent.get(Phase.ADVERTISE_KEYS).get(j), h.cfg, Phase.ADVERTISE_KEYS, 0).body());
      Primitives.addMask(Primitives.pairwiseMaskKey(Primitives.x25519(sk5, a.sPk()), ctx, 5, j), y, j < 5, Ring.Z2_32);
    }
    Ring.Z2_32.reduceInPlace(y);
    // what is left is x5 + PRG(b5): uniform, not the all-zero input
    assertFalse(Arrays.equals(x[5], y));
    assertTrue(byteChiSquare(y, Ring.Z2_32) < 370, "late input is not hidden by the self-mask");
  }

  private static SecAggException.Code refusal(Runnable r) {
    return assertThrows(SecAggException.class, r::run).code();
  }

  @Test
  void unsignedUnenrolledReplayedAndDuplicateMessages_areRefused() {
    RoundHarness h = RoundHarness.create(3, 0.0, 4, Ring.Z2_32);
    byte[] ctx = h.cfg.contextHash();
    byte[] good = h.clients[1].advertiseKeys();

    byte[] unsigned = good.clone();
    Arrays.fill(unsigned, unsigned.length - 64, unsigned.length, (byte) 0);
    assertEquals(SecAggException.Code.BAD_SIGNATURE, refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, unsigned)));

    SigningKey stranger = SigningKey.generate(RoundHarness.RANDOM);
    byte[] body = Arrays.copyOfRange(good, 4 + 2 + 32 + 8 + 4, good.length - 64);
    assertEquals(SecAggException.Code.BAD_SIGNATURE,
        refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, Messages.seal(stranger, Phase.ADVERTISE_KEYS, ctx, 2, 0, body))));
    assertEquals(SecAggException.Code.NOT_ENROLLED,
        refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, Messages.seal(stranger, Phase.ADVERTISE_KEYS, ctx, 4, 0, body))));

    // the same cohort's message from another round is a replay
    RoundConfig other = RoundHarness.config("another-round", h.keys, h.cfg.thresholdParameters(), 4, Ring.Z2_32, null);
    byte[] replay = SecAggClient.create(other, 2, h.keys[2], RoundHarness.RANDOM).advertiseKeys();
    assertEquals(SecAggException.Code.WRONG_ROUND, refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, replay)));
    // a message for another phase, or addressed to another recipient
    assertEquals(SecAggException.Code.WRONG_PHASE, refusal(() -> h.server.accept(Phase.SHARE_KEYS, good)));
    assertEquals(SecAggException.Code.WRONG_ROUND,
        refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, Messages.seal(h.keys[2], Phase.ADVERTISE_KEYS, ctx, 2, 3, body))));
    // truncated bytes
    assertEquals(SecAggException.Code.MALFORMED, refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, Arrays.copyOf(good, 50))));

    assertTrue(h.server.accept(Phase.ADVERTISE_KEYS, good));
    assertFalse(h.server.accept(Phase.ADVERTISE_KEYS, good), "an identical retry is idempotent");
    byte[] second = Messages.seal(h.keys[1], Phase.ADVERTISE_KEYS, ctx, 1, 0,
        new Messages.Advert(Primitives.x25519PublicKey(Primitives.x25519PrivateKey(RoundHarness.RANDOM)),
            Primitives.x25519PublicKey(Primitives.x25519PrivateKey(RoundHarness.RANDOM))).encode());
    assertEquals(SecAggException.Code.DUPLICATE, refusal(() -> h.server.accept(Phase.ADVERTISE_KEYS, second)));
    assertEquals(0, h.server.receivedInOpenPhase().length - 1);
  }

  @Test
  void clientRefusesAForgedAdvertisementAndASmallOrderKey() {
    RoundHarness h = RoundHarness.create(3, 0.0, 4, Ring.Z2_32);
    byte[] ctx = h.cfg.contextHash();
    h.server.accept(Phase.ADVERTISE_KEYS, h.clients[1].advertiseKeys());
    // client 2 advertises the point u = 0, whose agreement with anyone is all-zero
    byte[] zeroKey = new byte[32];
    byte[] sPk = Primitives.x25519PublicKey(Primitives.x25519PrivateKey(RoundHarness.RANDOM));
    h.server.accept(Phase.ADVERTISE_KEYS, Messages.seal(h.keys[2], Phase.ADVERTISE_KEYS, ctx, 2, 0, new Messages.Advert(zeroKey, sPk).encode()));
    h.server.accept(Phase.ADVERTISE_KEYS, h.clients[3].advertiseKeys());
    h.server.closePhase();
    SecAggException e = assertThrows(SecAggException.class, () -> h.clients[1].shareKeys(h.server.advertisementsFor(1)));
    assertEquals(SecAggException.Code.PROTOCOL_VIOLATION, e.code());
    assertTrue(e.getMessage().contains("all-zero"), e.getMessage());
    assertEquals(SecAggClient.State.ABORTED, h.clients[1].state());

    // a server that slips in an advertisement signed by a stranger is caught by the client
    SigningKey stranger = SigningKey.generate(RoundHarness.RANDOM);
    byte[] forged = Messages.seal(stranger, Phase.ADVERTISE_KEYS, ctx, 1, 0, new Messages.Advert(sPk, zeroKey).encode());
    byte[] bundle = Messages.response(Messages.RESP_ADVERTISEMENTS, ctx, 3)
        .raw(Messages.encodeAddressed(List.of(new Messages.Addressed(1, forged)))).toByteArray();
    assertEquals(SecAggException.Code.BAD_SIGNATURE, refusal(() -> h.clients[3].shareKeys(bundle)));
  }

  @Test
  void clientRevealsNothingWhenTheServerEquivocatesAboutSurvivors() {
    RoundHarness h = RoundHarness.create(5, 0.3, 4, Ring.Z2_32);
    long[][] x = RoundHarness.randomInputs(5, 4, Ring.Z2_32);
    // run to the unmask request with client 5 dropped before masked input
    for (int i = 1; i <= 5; i++) h.server.accept(Phase.ADVERTISE_KEYS, h.clients[i].advertiseKeys());
    h.server.closePhase();
    for (int i = 1; i <= 5; i++) h.server.accept(Phase.SHARE_KEYS, h.clients[i].shareKeys(h.server.advertisementsFor(i)));
    h.server.closePhase();
    for (int i = 1; i <= 4; i++) h.server.accept(Phase.MASKED_INPUT, h.clients[i].maskedInput(h.server.sharesFor(i), x[i]));
    h.server.closePhase();
    byte[] req = h.server.consistencyRequest();
    for (int i = 1; i <= 4; i++) h.server.accept(Phase.CONSISTENCY_CHECK, h.clients[i].consistencyCheck(req));
    h.server.closePhase();
    // a malicious server now claims client 5 survived, to get its self-mask seed share as well
    byte[] ctx = h.cfg.contextHash();
    byte[] lie = Messages.response(Messages.RESP_UNMASK, ctx, 0).raw(Messages.encodeIndices(new int[] {1, 2, 3, 4, 5}))
        .raw(Messages.encodeAddressed(List.of())).toByteArray();
    assertEquals(SecAggException.Code.PROTOCOL_VIOLATION, refusal(() -> h.clients[1].unmask(lie)));
    // with too few consistency signatures the client also refuses
    byte[] thin = Messages.response(Messages.RESP_UNMASK, ctx, 0).raw(Messages.encodeIndices(new int[] {1, 2, 3, 4}))
        .raw(Messages.encodeAddressed(List.of())).toByteArray();
    assertEquals(SecAggException.Code.ROUND_FAILED, refusal(() -> h.clients[2].unmask(thin)));
    // and the honest server refuses a reveal of the wrong kind (mask key of a survivor)
    byte[] wrongKind = Messages.seal(h.keys[3], Phase.UNMASK, ctx, 3, 0, Messages.encodeReveals(List.of(
        new Messages.Reveal(1, Messages.KIND_MASK_KEY, new byte[Shamir.SHARE_BYTES]),
        new Messages.Reveal(2, Messages.KIND_SELF_MASK_SEED, new byte[Shamir.SHARE_BYTES]),
        new Messages.Reveal(3, Messages.KIND_SELF_MASK_SEED, new byte[Shamir.SHARE_BYTES]),
        new Messages.Reveal(4, Messages.KIND_SELF_MASK_SEED, new byte[Shamir.SHARE_BYTES]),
        new Messages.Reveal(5, Messages.KIND_MASK_KEY, new byte[Shamir.SHARE_BYTES]))));
    assertEquals(SecAggException.Code.PROTOCOL_VIOLATION, refusal(() -> h.server.accept(Phase.UNMASK, wrongKind)));
    // the honest path still works for the clients that were not lied to
    byte[] ureq = h.server.unmaskRequest();
    for (int i = 3; i <= 4; i++) assertTrue(h.server.accept(Phase.UNMASK, h.clients[i].unmask(ureq)));
  }
}
