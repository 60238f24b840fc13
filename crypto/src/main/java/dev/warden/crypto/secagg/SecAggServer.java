package dev.warden.crypto.secagg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The server's side of one SecAgg+ round, as a state machine over bytes: {@link #accept} takes a client's
 * signed message for the open phase, {@link #closePhase} ends the phase (all expected clients answered or
 * the caller's timeout fired), and the {@code ...For}/{@code ...Request} methods give each client what it
 * needs for the next phase. The server holds no secret: replaying the accepted messages and phase closes
 * in order rebuilds the same state (this is how {@link RoundCoordinator} survives restarts).
 * Not thread-safe: callers serialise access per round.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Only messages signed by an enrolled cohort member, bound to this round's context hash, to the open
 *       phase and to the server are accepted; a client declared dropped stays dropped (its late messages
 *       are refused) and a different second message from one client is refused.
 *   <li>The server asks each client, via the announced survivor set, for the self-mask-seed share of a
 *       survivor or the masking-key share of a dropped client, and refuses any unmask message that reveals
 *       the other kind — it never holds both secrets of one client.
 *   <li>A round that cannot reach its threshold ends in {@link State#FAILED} with the reason.
 * </ul>
 * Not guaranteed: against a malicious server the guarantees are those of the clients' checks (see
 * {@link SecAggClient}); this class is the honest server.
 */
public final class SecAggServer {
  /** Round state: the open phase, or the end. */
  public enum State {
    ADVERTISE_KEYS, SHARE_KEYS, MASKED_INPUT, CONSISTENCY_CHECK, UNMASK, COMPLETE, FAILED;

    Phase phase() {
      return ordinal() < 5 ? Phase.values()[ordinal()] : null;
    }
  }

  private final RoundConfig cfg;
  private final int required;
  private final NeighbourGraph graph;
  private final int n;
  private State state = State.ADVERTISE_KEYS;
  private String failure;

  /** received[phase][client] = raw accepted message. */
  private final byte[][][] received;
  /** Survivors of each closed phase. */
  private final BitSet[] survivors = new BitSet[5];
  private final Messages.Advert[] adverts;
  private final TreeMap<Integer, byte[]>[] inbox; // recipient -> (sender -> sealed share)
  private long[] maskedSum;
  private final TreeMap<Integer, TreeMap<Integer, byte[]>> seedShares = new TreeMap<>();
  private final TreeMap<Integer, TreeMap<Integer, byte[]>> keyShares = new TreeMap<>();
  private AggregateResult result;
  private final long[] phaseBytes = new long[5];

  /**
   * @param minSurvivors the policy's minimum number of clients whose inputs must be in the sum; the
   *     effective minimum is max(minSurvivors, t)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public SecAggServer(RoundConfig cfg, int minSurvivors) {
    this.cfg = cfg;
    this.n = cfg.cohortSize();
    if (minSurvivors > n) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "minimum survivors " + minSurvivors + " exceeds cohort size " + n);
    this.required = Math.max(minSurvivors, cfg.threshold());
    this.graph = cfg.graph();
    this.received = new byte[5][n + 1][];
    this.adverts = new Messages.Advert[n + 1];
    this.inbox = new TreeMap[n + 1];
    for (int i = 1; i <= n; i++) inbox[i] = new TreeMap<>();
  }

  public RoundConfig config() {
    return cfg;
  }

  public State state() {
    return state;
  }

  /** Why the round failed, or null. */
  public String failureReason() {
    return failure;
  }

  /** Effective minimum number of survivors. */
  public int requiredSurvivors() {
    return required;
  }

  /** Clients expected to send a message in the open phase (the previous phase's survivors). */
  public int[] expected() {
    if (state.phase() == null) return new int[0];
    int p = state.ordinal();
    if (p == 0) {
      int[] all = new int[n];
      for (int i = 0; i < n; i++) all[i] = i + 1;
      return all;
    }
    return survivors[p - 1].stream().toArray();
  }

  /** Clients whose message for the open phase has arrived. */
  public int[] receivedInOpenPhase() {
    if (state.phase() == null) return new int[0];
    List<Integer> r = new ArrayList<>();
    for (int i = 1; i <= n; i++) if (received[state.ordinal()][i] != null) r.add(i);
    return r.stream().mapToInt(Integer::intValue).toArray();
  }

  /** True when every expected client has sent its message for the open phase. */
  public boolean allExpectedReceived() {
    return state.phase() != null && receivedInOpenPhase().length == expected().length;
  }

  /** Survivors of a closed phase (clients whose message for it was accepted). */
  public int[] survivorsOf(Phase p) {
    BitSet b = survivors[p.code() - 1];
    if (b == null) throw new SecAggException(SecAggException.Code.NOT_READY, "phase " + p + " has not closed yet");
    return b.stream().toArray();
  }

  /** Bytes of accepted client messages per phase (for metrics). */
  public long bytesReceived(Phase p) {
    return phaseBytes[p.code() - 1];
  }

  /**
   * Accepts a signed message for {@code phase} (the open phase). Returns false if the identical message was
   * already accepted (an idempotent retry), true if it is new.
   */
  public boolean accept(Phase phase, byte[] message) {
    if (state == State.FAILED) throw new SecAggException(SecAggException.Code.ROUND_FAILED, "round " + cfg.roundId() + " failed: " + failure);
    Messages.Signed s = Messages.open(message, cfg, phase, Messages.SERVER);
    int p = phase.code() - 1;
    int i = s.sender();
    if (state.phase() != phase) {
      if (state == State.COMPLETE || phase.ordinal() < state.ordinal()) {
        throw new SecAggException(SecAggException.Code.WRONG_PHASE, "phase " + phase + " of round " + cfg.roundId() + " has closed; client " + i + " is treated as dropped");
      }
      throw new SecAggException(SecAggException.Code.WRONG_PHASE, "phase " + phase + " of round " + cfg.roundId() + " is not open yet (open: " + state + ")");
    }
    if (p > 0 && !survivors[p - 1].get(i)) {
      throw new SecAggException(SecAggException.Code.WRONG_PHASE, "client " + i + " was declared dropped before " + phase + "; its late message is refused");
    }
    // masked inputs are large: keep only their digest (enough to recognise a retry)
    byte[] kept = phase == Phase.MASKED_INPUT ? Primitives.sha256(message) : message;
    if (received[p][i] != null) {
      if (Primitives.ctEquals(received[p][i], kept)) return false;
      throw new SecAggException(SecAggException.Code.DUPLICATE, "client " + i + " already sent a different " + phase + " message");
    }
    switch (phase) {
      case ADVERTISE_KEYS -> adverts[i] = Messages.Advert.parse(s.body());
      case SHARE_KEYS -> acceptShares(i, s.body());
      case MASKED_INPUT -> acceptMasked(i, s.body());
      case CONSISTENCY_CHECK -> {
        if (!Primitives.ctEquals(s.body(), Messages.encodeIndices(survivors[2].stream().toArray()))) {
          throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "client " + i + " signed a survivor set other than the one announced");
        }
      }
      case UNMASK -> acceptUnmask(i, s.body());
    }
    received[p][i] = kept;
    phaseBytes[p] += message.length;
    return true;
  }

  private void acceptShares(int i, byte[] body) {
    ByteReader r = new ByteReader(body, "SHARE_KEYS body");
    List<Messages.Addressed> items = Messages.parseAddressed(r, n, Messages.MAX_SEALED);
    r.end();
    int[] want = graph.neighboursUnsafe(i);
    int o = 0;
    int[] to = new int[items.size()];
    for (Messages.Addressed a : items) to[o++] = a.peer();
    int[] expect = Arrays.stream(want).filter(j -> survivors[0].get(j)).toArray();
    if (!Arrays.equals(to, expect)) {
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "client " + i + " must send one share to each neighbour that advertised keys " + Arrays.toString(expect) + ", sent to " + Arrays.toString(to));
    }
    for (Messages.Addressed a : items) inbox[a.peer()].put(i, a.data());
  }

  private void acceptMasked(int i, byte[] body) {
    Ring ring = cfg.ring();
    int len = cfg.vectorLength();
    if (body.length != len * ring.bytesPerEntry()) {
      throw SecAggException.malformed("MASKED_INPUT from client " + i + " must carry " + len + " entries of " + ring.bytesPerEntry() + " bytes");
    }
    if (maskedSum == null) maskedSum = new long[len];
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(body).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    if (ring == Ring.Z2_32) {
      for (int k = 0; k < len; k++) maskedSum[k] += bb.getInt(4 * k) & 0xffffffffL;
    } else {
      for (int k = 0; k < len; k++) maskedSum[k] += bb.getLong(8 * k);
    }
  }

  private void acceptUnmask(int i, byte[] body) {
    List<Messages.Reveal> reveals = Messages.parseReveals(body, n);
    BitSet u2 = survivors[1];
    BitSet u3 = survivors[2];
    List<Integer> owners = new ArrayList<>();
    for (int j = 1; j <= n; j++) if (u2.get(j) && (j == i || graph.adjacent(i, j))) owners.add(j);
    if (reveals.size() != owners.size()) {
      throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "client " + i + " must reveal exactly one share for each of " + owners + ", sent " + reveals.size());
    }
    for (int k = 0; k < reveals.size(); k++) {
      Messages.Reveal v = reveals.get(k);
      if (v.owner() != owners.get(k)) throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "client " + i + " revealed a share of client " + v.owner() + ", whose shares it does not hold");
      int want = u3.get(v.owner()) ? Messages.KIND_SELF_MASK_SEED : Messages.KIND_MASK_KEY;
      if (v.kind() != want) {
        throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "client " + i + " revealed the wrong kind of share for client " + v.owner()
            + " (survivors' self-mask seeds only, dropped clients' mask keys only)");
      }
      Shamir.validate(v.share());
    }
    for (Messages.Reveal v : reveals) {
      (v.kind() == Messages.KIND_SELF_MASK_SEED ? seedShares : keyShares).computeIfAbsent(v.owner(), x -> new TreeMap<>()).put(i, v.share());
    }
  }

  /**
   * Ends the open phase: the clients heard from become its survivors. Fails the round (state FAILED, reason
   * in {@link #failureReason()}) if fewer than the required number survive or, after UNMASK, if some secret
   * cannot be reconstructed. Returns the new state.
   */
  public State closePhase() {
    Phase phase = state.phase();
    if (phase == null) throw new SecAggException(SecAggException.Code.WRONG_PHASE, "round " + cfg.roundId() + " is " + state);
    int p = phase.code() - 1;
    BitSet got = new BitSet(n + 1);
    for (int i = 1; i <= n; i++) if (received[p][i] != null) got.set(i);
    survivors[p] = got;
    if (got.cardinality() < required) {
      return fail("only " + got.cardinality() + " of " + expected().length + " clients completed " + phase + "; at least " + required + " are required");
    }
    if (phase == Phase.UNMASK) {
      try {
        result = unmask();
      } catch (SecAggException e) {
        return fail(e.getMessage());
      }
      state = State.COMPLETE;
    } else {
      state = State.values()[state.ordinal() + 1];
    }
    return state;
  }

  /** Marks the round failed (e.g. by an administrator). */
  public State fail(String reason) {
    state = State.FAILED;
    failure = reason;
    maskedSum = null;
    return state;
  }

  private void requireClosed(Phase p) {
    if (state == State.FAILED) throw new SecAggException(SecAggException.Code.ROUND_FAILED, "round " + cfg.roundId() + " failed: " + failure);
    if (survivors[p.code() - 1] == null) throw new SecAggException(SecAggException.Code.NOT_READY, "phase " + p + " of round " + cfg.roundId() + " is still open");
  }

  private void requireSurvivor(Phase p, int client) {
    if (client < 1 || client > n) throw new SecAggException(SecAggException.Code.NOT_ENROLLED, "client index " + client + " is not in the cohort");
    if (!survivors[p.code() - 1].get(client)) throw new SecAggException(SecAggException.Code.WRONG_PHASE, "client " + client + " was declared dropped at " + p);
  }

  /** For client {@code i}: the signed advertisements of its neighbours (after ADVERTISE_KEYS closed). */
  public byte[] advertisementsFor(int i) {
    requireClosed(Phase.ADVERTISE_KEYS);
    requireSurvivor(Phase.ADVERTISE_KEYS, i);
    List<Messages.Addressed> items = new ArrayList<>();
    for (int j : graph.neighboursUnsafe(i)) if (survivors[0].get(j)) items.add(new Messages.Addressed(j, received[0][j]));
    return Messages.response(Messages.RESP_ADVERTISEMENTS, cfg.contextHashUnsafe(), i).raw(Messages.encodeAddressed(items)).toByteArray();
  }

  /** For client {@code i}: the encrypted shares addressed to it (after SHARE_KEYS closed). */
  public byte[] sharesFor(int i) {
    requireClosed(Phase.SHARE_KEYS);
    requireSurvivor(Phase.SHARE_KEYS, i);
    List<Messages.Addressed> items = new ArrayList<>();
    for (var e : inbox[i].entrySet()) if (survivors[1].get(e.getKey())) items.add(new Messages.Addressed(e.getKey(), e.getValue()));
    return Messages.response(Messages.RESP_SHARES, cfg.contextHashUnsafe(), i).raw(Messages.encodeAddressed(items)).toByteArray();
  }

  /** For every survivor: the survivor set U3 to sign (after MASKED_INPUT closed). */
  public byte[] consistencyRequest() {
    requireClosed(Phase.MASKED_INPUT);
    return Messages.response(Messages.RESP_CONSISTENCY, cfg.contextHashUnsafe(), Messages.SERVER)
        .raw(Messages.encodeIndices(survivors[2].stream().toArray())).toByteArray();
  }

  /** For every survivor: U3 and the signed consistency checks (after CONSISTENCY_CHECK closed). */
  public byte[] unmaskRequest() {
    requireClosed(Phase.CONSISTENCY_CHECK);
    List<Messages.Addressed> items = new ArrayList<>();
    survivors[3].stream().forEach(j -> items.add(new Messages.Addressed(j, received[3][j])));
    return Messages.response(Messages.RESP_UNMASK, cfg.contextHashUnsafe(), Messages.SERVER)
        .raw(Messages.encodeIndices(survivors[2].stream().toArray())).raw(Messages.encodeAddressed(items)).toByteArray();
  }

  /** The aggregate (state COMPLETE). */
  public AggregateResult result() {
    if (state == State.FAILED) throw new SecAggException(SecAggException.Code.ROUND_FAILED, "round " + cfg.roundId() + " failed: " + failure);
    if (state != State.COMPLETE) throw new SecAggException(SecAggException.Code.NOT_READY, "round " + cfg.roundId() + " is still in " + state);
    return result;
  }

  // ---- unmasking -------------------------------------------------------------------------------------------

  private byte[] reconstruct(int owner, TreeMap<Integer, byte[]> shares, String what) {
    int t = cfg.threshold();
    if (shares == null || shares.size() < t) {
      throw new SecAggException(SecAggException.Code.ROUND_FAILED, "client " + owner + "'s " + what + ": only " + (shares == null ? 0 : shares.size())
          + " of the " + t + " needed shares arrived");
    }
    int[] xs = shares.keySet().stream().mapToInt(Integer::intValue).toArray();
    byte[][] ys = shares.values().toArray(new byte[0][]);
    byte[] first = Shamir.reconstruct(Arrays.copyOf(xs, t), Arrays.copyOf(ys, t));
    if (xs.length > t) { // extra shares: a second, different t-subset must agree
      byte[] last = Shamir.reconstruct(Arrays.copyOfRange(xs, xs.length - t, xs.length), Arrays.copyOfRange(ys, ys.length - t, ys.length));
      if (!Primitives.ctEquals(first, last)) {
        throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "shares of client " + owner + "'s " + what + " are inconsistent (a holder sent a wrong share)");
      }
    }
    return first;
  }

  private AggregateResult unmask() {
    int len = cfg.vectorLength();
    Ring ring = cfg.ring();
    byte[] ctx = cfg.contextHashUnsafe();
    BitSet u2 = survivors[1];
    BitSet u3 = survivors[2];
    // Each task adds one mask correction into an accumulator; tasks run in parallel across cores.
    List<Consumer<long[]>> tasks = new ArrayList<>();
    for (int j = u3.nextSetBit(0); j >= 0; j = u3.nextSetBit(j + 1)) {
      byte[] key = Primitives.selfMaskKey(reconstruct(j, seedShares.get(j), "self-mask seed"), ctx, j);
      tasks.add(acc -> Primitives.addMask(key, acc, true, ring));
    }
    for (int j = u2.nextSetBit(0); j >= 0; j = u2.nextSetBit(j + 1)) {
      if (u3.get(j)) continue;
      final int dropped = j;
      boolean needed = Arrays.stream(graph.neighboursUnsafe(j)).anyMatch(u3::get);
      if (!needed) continue;
      byte[] sk = reconstruct(j, keyShares.get(j), "masking key");
      if (!Primitives.ctEquals(Primitives.x25519PublicKey(sk), adverts[j].sPk())) {
        throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "reconstructed masking key of client " + j + " does not match its advertised key");
      }
      for (int k : graph.neighboursUnsafe(j)) {
        if (!u3.get(k)) continue;
        final int survivor = k;
        tasks.add(acc -> {
          byte[] mk = Primitives.pairwiseMaskKey(Primitives.x25519(sk, adverts[survivor].sPk()), ctx, dropped, survivor);
          // survivor k added +PRG if k < j, −PRG if k > j: remove it
          Primitives.addMask(mk, acc, survivor < dropped, ring);
        });
      }
    }
    long[] corr = tasks.parallelStream().collect(() -> new long[len], (acc, task) -> task.accept(acc), (a, b) -> {
      for (int k = 0; k < len; k++) a[k] += b[k];
    });
    long[] sum = new long[len];
    for (int k = 0; k < len; k++) sum[k] = maskedSum[k] + corr[k];
    ring.reduceInPlace(sum);
    return new AggregateResult(cfg.roundId(), ctx, ring, u3.stream().toArray(), sum);
  }

  @Override
  public String toString() {
    return "SecAggServer[round " + cfg.roundId() + ", " + state + "]";
  }
}
