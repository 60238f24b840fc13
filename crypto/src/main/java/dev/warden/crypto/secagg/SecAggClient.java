package dev.warden.crypto.secagg;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * One client's side of one SecAgg+ round, as a state machine: each method consumes the server's response
 * from the previous phase (bytes) and returns this client's signed message for the next phase (bytes).
 * Transport is the caller's business. Methods must be called in order; any refusal moves the client to
 * {@link State#ABORTED} and it sends nothing more. Not thread-safe: one instance per client per round.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Two fresh X25519 key pairs per round (share encryption, masking) and a fresh 32-byte self-mask
 *       seed; the seed and masking key are Shamir-shared among the client's neighbours (t of k + 1).
 *   <li>Every peer advertisement is checked against the peer's enrolled Ed25519 key; every share
 *       ciphertext is authenticated (AES-256-GCM, key from X25519 + HKDF bound to the round's context hash
 *       and both indices); an all-zero X25519 secret is refused.
 *   <li>The masked input is x + PRG(b) + Σ_{j&gt;i} PRG(s_ij) − Σ_{j&lt;i} PRG(s_ij) in the ring; the server
 *       alone sees a uniformly random vector.
 *   <li>In the unmask phase the client reveals, for every neighbour, <em>either</em> the self-mask-seed
 *       share (if the neighbour is in the survivor set it signed off in the consistency check) <em>or</em>
 *       the masking-key share (if not) — never both — and only after at least t neighbours signed the same
 *       survivor set.
 *   <li>Secrets are zeroed when no longer needed and never appear in {@code toString}.
 * </ul>
 * Not guaranteed: protection against a client who lies about its own input (that is what clipping and
 * DP bound), or against a server that drops honest clients to shrink the aggregate to a few inputs (the
 * threshold bounds how few).
 */
public final class SecAggClient {
  /** Where the client is in the round. */
  public enum State { CREATED, ADVERTISED, SHARED, MASKED, CHECKED, DONE, ABORTED }

  private final RoundConfig cfg;
  private final int self;
  private final SigningKey key;
  private final SecureRandom random;
  private final byte[] ctx;
  private final NeighbourGraph graph;
  private State state = State.CREATED;

  private byte[] cSk;
  private byte[] sSk;
  private byte[] seed;
  private final TreeMap<Integer, Messages.Advert> peers = new TreeMap<>();
  /** peer → HKDF input for share encryption (the X25519 agreement is the same in both directions). */
  private final TreeMap<Integer, byte[]> encAgreement = new TreeMap<>();
  /** owner → {self-mask-seed share, masking-key share} held by this client (x = self). */
  private final TreeMap<Integer, byte[][]> held = new TreeMap<>();
  private int[] survivors;

  private SecAggClient(RoundConfig cfg, int self, SigningKey key, SecureRandom random) {
    this.cfg = cfg;
    this.self = self;
    this.key = key;
    this.random = random;
    this.ctx = cfg.contextHash();
    this.graph = cfg.graph();
  }

  /**
   * A client for cohort member {@code index} (1-based) of {@code cfg}; {@code key} must be that member's
   * enrolled key.
   */
  public static SecAggClient create(RoundConfig cfg, int index, SigningKey key, SecureRandom random) {
    RoundConfig.Member m = cfg.member(index);
    if (!Primitives.ctEquals(m.publicKeyUnsafe(), key.publicKey())) {
      throw new SecAggException(SecAggException.Code.NOT_ENROLLED, "the signing key is not the one enrolled for " + m.name() + " (index " + index + ")");
    }
    return new SecAggClient(cfg, index, key, random);
  }

  public State state() {
    return state;
  }

  public int index() {
    return self;
  }

  public RoundConfig config() {
    return cfg;
  }

  private void expect(State s) {
    if (state != s) throw new SecAggException(SecAggException.Code.WRONG_PHASE, "client " + self + " is " + state + ", not " + s);
  }

  private <T> T guarded(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** Phase 1: fresh key pairs, advertised under this client's signature. */
  public byte[] advertiseKeys() {
    expect(State.CREATED);
    return guarded(() -> {
      cSk = Primitives.x25519PrivateKey(random);
      sSk = Primitives.x25519PrivateKey(random);
      byte[] body = new Messages.Advert(Primitives.x25519PublicKey(cSk), Primitives.x25519PublicKey(sSk)).encode();
      state = State.ADVERTISED;
      return Messages.seal(key, Phase.ADVERTISE_KEYS, ctx, self, Messages.SERVER, body);
    });
  }

  /** Phase 2: verify neighbours' advertisements, share the seed and masking key among them, encrypted. */
  public byte[] shareKeys(byte[] advertisements) {
    expect(State.ADVERTISED);
    return guarded(() -> {
      ByteReader r = Messages.openResponse(advertisements, Messages.RESP_ADVERTISEMENTS, cfg, self);
      List<Messages.Addressed> items = Messages.parseAddressed(r, cfg.cohortSize(), 4096);
      r.end();
      for (Messages.Addressed a : items) {
        if (!graph.adjacent(self, a.peer())) throw violation("server forwarded keys of client " + a.peer() + ", who is not a neighbour of " + self);
        Messages.Signed s = Messages.open(a.data(), cfg, Phase.ADVERTISE_KEYS, Messages.SERVER);
        if (s.sender() != a.peer()) throw violation("advertisement listed as client " + a.peer() + " is signed by client " + s.sender());
        peers.put(a.peer(), Messages.Advert.parse(s.body()));
      }
      requireThreshold(peers.size() + 1, "neighbours advertised keys");
      seed = new byte[32];
      random.nextBytes(seed);
      int[] holders = holders(peers.keySet());
      byte[][] seedShares = Shamir.split(seed, cfg.threshold(), holders, random);
      byte[][] keyShares = Shamir.split(sSk, cfg.threshold(), holders, random);
      List<Messages.Addressed> out = new ArrayList<>();
      for (int h = 0; h < holders.length; h++) {
        int j = holders[h];
        if (j == self) {
          held.put(self, new byte[][] {seedShares[h], keyShares[h]});
          continue;
        }
        byte[] shared = Primitives.x25519(cSk, peers.get(j).cPk());
        encAgreement.put(j, shared);
        byte[] k = Primitives.shareKey(shared, ctx, self, j);
        byte[] plain = new Messages.SharePlain(self, j, seedShares[h], keyShares[h]).encode();
        out.add(new Messages.Addressed(j, Primitives.gcmSeal(k, plain, Messages.shareAad(ctx, self, j), random)));
        Arrays.fill(k, (byte) 0);
        Arrays.fill(plain, (byte) 0);
      }
      state = State.SHARED;
      return Messages.seal(key, Phase.SHARE_KEYS, ctx, self, Messages.SERVER, Messages.encodeAddressed(out));
    });
  }

  /**
   * Phase 3: decrypt the shares neighbours sent, then mask {@code input} (ring elements; {@link
   * RoundConfig#vectorLength()} of them) with the self-mask and one pairwise mask per neighbour that shared.
   */
  public byte[] maskedInput(byte[] shares, long[] input) {
    expect(State.SHARED);
    return guarded(() -> {
      if (input == null || input.length != cfg.vectorLength()) {
        throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "input must have " + cfg.vectorLength() + " entries");
      }
      ByteReader r = Messages.openResponse(shares, Messages.RESP_SHARES, cfg, self);
      List<Messages.Addressed> items = Messages.parseAddressed(r, cfg.cohortSize(), Messages.MAX_SEALED);
      r.end();
      for (Messages.Addressed a : items) {
        int j = a.peer();
        Messages.Advert adv = peers.get(j);
        if (adv == null) throw violation("server forwarded shares from client " + j + ", who did not advertise keys to " + self);
        byte[] shared = encAgreement.get(j);
        if (shared == null) throw violation("server forwarded shares from client " + j + ", to whom " + self + " sent none");
        byte[] k = Primitives.shareKey(shared, ctx, j, self);
        byte[] plain = Primitives.gcmOpen(k, a.data(), Messages.shareAad(ctx, j, self));
        Messages.SharePlain p = Messages.SharePlain.parse(plain);
        Arrays.fill(k, (byte) 0);
        Arrays.fill(plain, (byte) 0);
        if (p.from() != j || p.to() != self) throw violation("share from client " + j + " names the wrong sender or recipient");
        Shamir.validate(p.seedShare());
        Shamir.validate(p.keyShare());
        held.put(j, new byte[][] {p.seedShare(), p.keyShare()});
      }
      requireThreshold(held.size(), "neighbours (with this client) shared keys");
      long[] y = input.clone();
      byte[] selfKey = Primitives.selfMaskKey(seed, ctx, self);
      Primitives.addMask(selfKey, y, false, cfg.ring());
      Arrays.fill(selfKey, (byte) 0);
      for (int j : held.keySet()) {
        if (j == self) continue;
        byte[] s = Primitives.x25519(sSk, peers.get(j).sPk());
        byte[] mk = Primitives.pairwiseMaskKey(s, ctx, self, j);
        Primitives.addMask(mk, y, self > j, cfg.ring());
        Arrays.fill(s, (byte) 0);
        Arrays.fill(mk, (byte) 0);
      }
      cfg.ring().reduceInPlace(y);
      encAgreement.values().forEach(SecAggClient::wipe);
      encAgreement.clear();
      wipe(seed);
      wipe(sSk);
      wipe(cSk);
      seed = sSk = cSk = null;
      state = State.MASKED;
      return Messages.seal(key, Phase.MASKED_INPUT, ctx, self, Messages.SERVER, cfg.ring().encode(y));
    });
  }

  /** Phase 4: check and sign the survivor set U3 the server announced. */
  public byte[] consistencyCheck(byte[] request) {
    expect(State.MASKED);
    return guarded(() -> {
      ByteReader r = Messages.openResponse(request, Messages.RESP_CONSISTENCY, cfg, Messages.SERVER);
      int[] u3 = Messages.parseIndices(r, cfg.cohortSize());
      r.end();
      if (Arrays.binarySearch(u3, self) < 0) throw violation("survivor set omits this client although it sent its masked input");
      int inHood = 0;
      for (int j : u3) {
        if (j == self) {
          inHood++;
        } else if (graph.adjacent(self, j)) {
          if (!held.containsKey(j)) throw violation("survivor set names client " + j + ", who never shared keys with " + self);
          inHood++;
        }
      }
      requireThreshold(inHood, "surviving neighbours (with this client)");
      survivors = u3;
      state = State.CHECKED;
      return Messages.seal(key, Phase.CONSISTENCY_CHECK, ctx, self, Messages.SERVER, Messages.encodeIndices(u3));
    });
  }

  /**
   * Phase 5: after at least t neighbours signed the same survivor set, reveal for each neighbour either
   * its self-mask-seed share (survivor) or its masking-key share (dropped).
   */
  public byte[] unmask(byte[] request) {
    expect(State.CHECKED);
    return guarded(() -> {
      ByteReader r = Messages.openResponse(request, Messages.RESP_UNMASK, cfg, Messages.SERVER);
      int[] u3 = Messages.parseIndices(r, cfg.cohortSize());
      List<Messages.Addressed> checks = Messages.parseAddressed(r, cfg.cohortSize(), 4096);
      r.end();
      if (!Arrays.equals(u3, survivors)) throw violation("survivor set in the unmask request differs from the one this client signed");
      byte[] expectedBody = Messages.encodeIndices(survivors);
      int signedInHood = 0;
      for (Messages.Addressed a : checks) {
        if (a.peer() != self && !graph.adjacent(self, a.peer())) continue; // only the neighbourhood counts
        if (signedInHood >= cfg.threshold()) break; // t valid signatures on the same set suffice
        Messages.Signed s = Messages.open(a.data(), cfg, Phase.CONSISTENCY_CHECK, Messages.SERVER);
        if (s.sender() != a.peer()) throw violation("consistency signature listed as client " + a.peer() + " is by client " + s.sender());
        if (!Primitives.ctEquals(s.body(), expectedBody)) throw violation("client " + s.sender() + " signed a different survivor set: the server is equivocating");
        signedInHood++;
      }
      requireThreshold(signedInHood, "neighbours (with this client) signed the survivor set");
      List<Messages.Reveal> reveals = new ArrayList<>();
      for (var e : held.entrySet()) {
        int j = e.getKey();
        boolean survived = Arrays.binarySearch(survivors, j) >= 0;
        reveals.add(survived
            ? new Messages.Reveal(j, Messages.KIND_SELF_MASK_SEED, e.getValue()[0])
            : new Messages.Reveal(j, Messages.KIND_MASK_KEY, e.getValue()[1]));
      }
      byte[] out = Messages.seal(key, Phase.UNMASK, ctx, self, Messages.SERVER, Messages.encodeReveals(reveals));
      for (byte[][] v : held.values()) {
        wipe(v[0]);
        wipe(v[1]);
      }
      held.clear();
      state = State.DONE;
      return out;
    });
  }

  /** Stops the client and erases its secrets. */
  public void abort() {
    wipe(seed);
    wipe(sSk);
    wipe(cSk);
    seed = sSk = cSk = null;
    for (byte[][] v : held.values()) {
      wipe(v[0]);
      wipe(v[1]);
    }
    held.clear();
    encAgreement.values().forEach(SecAggClient::wipe);
    encAgreement.clear();
    state = State.ABORTED;
  }

  private int[] holders(java.util.Set<Integer> neighbours) {
    int[] h = new int[neighbours.size() + 1];
    int o = 0;
    for (int j : neighbours) h[o++] = j;
    h[o] = self;
    Arrays.sort(h);
    return h;
  }

  private void requireThreshold(int have, String what) {
    if (have < cfg.threshold()) {
      throw new SecAggException(SecAggException.Code.ROUND_FAILED, "only " + have + " " + what + "; the threshold is " + cfg.threshold());
    }
  }

  private static SecAggException violation(String msg) {
    return new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, msg);
  }

  private static void wipe(byte[] b) {
    if (b != null) Arrays.fill(b, (byte) 0);
  }

  @Override
  public String toString() {
    return "SecAggClient[round " + cfg.roundId() + ", client " + self + ", " + state + "]";
  }
}
