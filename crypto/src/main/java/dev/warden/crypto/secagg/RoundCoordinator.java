package dev.warden.crypto.secagg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of federated rounds, plain Java and transport-agnostic: each public method maps to one
 * HTTP endpoint (bytes in, bytes out), so a gateway only routes, authenticates the caller and maps
 * {@link SecAggException.Code} to a status.
 *
 * <pre>
 * POST /v1/fl/rounds                              createRound(RoundSpec)              → round config bytes
 * GET  /v1/fl/rounds/{id}                         roundConfig(id)                      → round config bytes
 * GET  /v1/fl/rounds/{id}/status                  status(id).toJson()
 * POST /v1/fl/rounds/{id}/advertise-keys          submitAdvertisement(id, body)
 * GET  /v1/fl/rounds/{id}/advertise-keys/{client} advertisements(id, client)
 * POST /v1/fl/rounds/{id}/share-keys              submitShares(id, body)
 * GET  /v1/fl/rounds/{id}/share-keys/{client}     shares(id, client)
 * POST /v1/fl/rounds/{id}/masked-input            submitMaskedInput(id, body)
 * GET  /v1/fl/rounds/{id}/consistency-check       consistencyRequest(id)
 * POST /v1/fl/rounds/{id}/consistency-check       submitConsistencyCheck(id, body)
 * GET  /v1/fl/rounds/{id}/unmask                  unmaskRequest(id)
 * POST /v1/fl/rounds/{id}/unmask                  submitUnmask(id, body)
 * GET  /v1/fl/rounds/{id}/result                  result(id, principal)               → aggregate bytes
 * (with the result, if the round adds DP noise)   privacyGuarantee(id, δ)             → (ε, δ), σ, Δ₂
 * (timer, e.g. every second)                      tick()
 * </pre>
 *
 * <p>A phase closes as soon as every expected client has answered, or at its deadline (checked on every
 * call and by {@link #tick()}, against the injected {@link Clock}). State lives in one directory per round
 * (see {@link RoundJournal}): every accepted message and every phase close is appended and fsync'd before
 * the method returns, and the constructor replays the directory, so rounds survive a restart. Thread-safe:
 * calls on one round are serialised; different rounds proceed in parallel.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Accepts only what {@link SecAggServer} accepts: signed by an enrolled member, bound to the round,
 *       phase and server, not from a client declared dropped.
 *   <li>The aggregate is released only to the principals the policy names; the journal holds no secret
 *       (masked inputs, encrypted shares and the shares the protocol reveals), but it does allow anyone
 *       who reads it to recompute the aggregate, so protect the directory like the aggregate.
 *   <li>A round that cannot reach its threshold ends FAILED with the reason in {@link #status}.
 * </ul>
 */
public final class RoundCoordinator implements AutoCloseable {
  private static final byte[] HEADER_MAGIC = {'W', 'S', 'A', 'S'};

  private final Path root;
  private final Clock clock;
  private final SecureRandom random;
  private final Map<String, Round> rounds = new ConcurrentHashMap<>();
  private final Map<String, String> damaged = new ConcurrentHashMap<>();
  private final Listener listener;

  /**
   * Notified (under the round's lock, keep it short) when a phase closes or a round ends: the hook for
   * audit records and metrics (round duration, dropouts per phase). Not called during replay at start-up.
   */
  public interface Listener {
    /**
     * @param phase the phase that closed
     * @param survivors clients whose message for it was accepted
     * @param expected clients that were expected
     * @param state the round's state afterwards ({@code FAILED} with {@code failureReason}, or the next phase,
     *     or {@code COMPLETE})
     */
    void phaseClosed(String roundId, Phase phase, int survivors, int expected, SecAggServer.State state, String failureReason, Instant at);
  }

  private static final class Round {
    final RoundConfig cfg;
    final SecAggServer server;
    final long[] timeoutMillis;
    final Set<String> readers;
    final long createdAt;
    RoundJournal journal;
    long openedAt;
    long endedAt = -1;

    Round(RoundConfig cfg, int minSurvivors, long[] timeoutMillis, Set<String> readers, long createdAt) {
      this.cfg = cfg;
      this.server = new SecAggServer(cfg, minSurvivors);
      this.timeoutMillis = timeoutMillis;
      this.readers = readers;
      this.createdAt = createdAt;
      this.openedAt = createdAt;
    }
  }

  /** Opens (or creates) the state directory and reloads every round found in it. */
  public RoundCoordinator(Path directory, Clock clock, SecureRandom random) {
    this(directory, clock, random, null);
  }

  /** As above, with a listener for phase closes (audit, metrics); null for none. */
  public RoundCoordinator(Path directory, Clock clock, SecureRandom random, Listener listener) {
    this.listener = listener != null ? listener : (id, p, s, e, st, why, at) -> { };
    this.root = directory;
    this.clock = clock;
    this.random = random;
    try {
      Files.createDirectories(root);
      for (Path dir : RoundJournal.roundDirs(root)) load(dir);
    } catch (IOException e) {
      throw new SecAggException(SecAggException.Code.IO, "cannot read round directory " + root + ": " + e.getMessage(), e);
    }
  }

  private void load(Path dir) {
    String id = dir.getFileName().toString();
    try {
      Round r = decodeHeader(RoundJournal.readHeader(dir));
      if (!r.cfg.roundId().equals(id)) throw new IOException("directory name does not match round id " + r.cfg.roundId());
      List<RoundJournal.Entry> entries = new ArrayList<>();
      r.journal = RoundJournal.open(dir, RoundJournal.readHeader(dir), entries);
      for (RoundJournal.Entry e : entries) {
        switch (e.type()) {
          case RoundJournal.MESSAGE -> r.server.accept(Phase.ofCode(e.payload()[0]), java.util.Arrays.copyOfRange(e.payload(), 1, e.payload().length));
          case RoundJournal.CLOSE -> {
            r.server.closePhase();
            r.openedAt = e.timeMillis();
            if (r.server.state().phase() == null) r.endedAt = e.timeMillis();
          }
          case RoundJournal.FAIL -> {
            r.server.fail(new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8));
            r.endedAt = e.timeMillis();
          }
          default -> throw new IOException("unknown record type " + e.type());
        }
      }
      rounds.put(id, r);
    } catch (IOException | RuntimeException e) {
      damaged.put(id, "stored state of round " + id + " cannot be loaded: " + e.getMessage());
    }
  }

  private byte[] encodeHeader(RoundConfig cfg, RoundSpec spec, long createdAt) {
    ByteWriter w = new ByteWriter().raw(HEADER_MAGIC).u8(1).bytes(cfg.toBytes()).u32(spec.minSurvivors());
    for (Phase p : Phase.values()) w.u64(spec.timeout(p).toMillis());
    w.u16(spec.readers().size());
    for (String s : spec.readers()) w.str(s);
    return w.u64(createdAt).toByteArray();
  }

  private static Round decodeHeader(byte[] h) {
    ByteReader r = new ByteReader(h, "round header");
    if (!Primitives.ctEquals(r.fixed(4), HEADER_MAGIC) || r.u8() != 1) throw SecAggException.malformed("round header: bad magic or version");
    RoundConfig cfg = RoundConfig.parse(r.bytes(Integer.MAX_VALUE));
    int min = r.u32(1, cfg.cohortSize(), "minimum survivors");
    long[] t = new long[5];
    for (int i = 0; i < 5; i++) t[i] = r.u64();
    int nr = r.u16();
    Set<String> readers = new LinkedHashSet<>();
    for (int i = 0; i < nr; i++) readers.add(r.str(1000));
    long created = r.u64();
    r.end();
    return new Round(cfg, min, t, Collections.unmodifiableSet(readers), created);
  }

  // ---- endpoints ---------------------------------------------------------------------------------------

  /** POST /v1/fl/rounds: creates a round from the policy's spec; returns the round config to hand out. */
  public byte[] createRound(RoundSpec spec) {
    String id = spec.roundId();
    if (id == null) {
      byte[] b = new byte[12];
      random.nextBytes(b);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
    ThresholdParameters tp = ThresholdParameters.derive(spec.cohort().size(), spec.dropoutFraction(), spec.corruptionFraction());
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    RoundConfig cfg = RoundConfig.create(spec.label(), id, spec.cohort(), tp, seed, spec.vectorLength(), spec.ring(), spec.encoding());
    long now = clock.millis();
    byte[] header = encodeHeader(cfg, spec, now);
    Round r = decodeHeader(header);
    synchronized (this) {
      if (rounds.containsKey(id) || damaged.containsKey(id) || Files.exists(root.resolve(id))) {
        throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "round " + id + " already exists");
      }
      try {
        r.journal = RoundJournal.create(root.resolve(id), header);
      } catch (IOException e) {
        throw new SecAggException(SecAggException.Code.IO, "cannot store round " + id + ": " + e.getMessage(), e);
      }
      rounds.put(id, r);
    }
    return cfg.toBytes();
  }

  /** GET /v1/fl/rounds/{id}: the round's public configuration (canonical bytes). */
  public byte[] roundConfig(String roundId) {
    return round(roundId).cfg.toBytes();
  }

  /** GET /v1/fl/rounds/{id}/status. */
  public RoundStatus status(String roundId) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      SecAggServer s = r.server;
      Map<Phase, Integer> surv = new EnumMap<>(Phase.class);
      Map<Phase, Long> bytes = new EnumMap<>(Phase.class);
      for (Phase p : Phase.values()) {
        try {
          surv.put(p, s.survivorsOf(p).length);
        } catch (SecAggException notClosed) {
          // phase not closed yet
        }
        bytes.put(p, s.bytesReceived(p));
      }
      Phase open = s.state().phase();
      Instant deadline = open == null ? null : Instant.ofEpochMilli(r.openedAt + r.timeoutMillis[open.ordinal()]);
      return new RoundStatus(roundId, s.state().name(), s.failureReason(), r.cfg.cohortSize(), r.cfg.threshold(), s.requiredSurvivors(),
          s.expected().length, s.receivedInOpenPhase().length, deadline, surv, bytes, Instant.ofEpochMilli(r.createdAt),
          r.endedAt < 0 ? null : Instant.ofEpochMilli(r.endedAt));
    }
  }

  /** POST /v1/fl/rounds/{id}/advertise-keys. Returns false for an identical retry. */
  public boolean submitAdvertisement(String roundId, byte[] body) {
    return submit(roundId, Phase.ADVERTISE_KEYS, body);
  }

  /** GET /v1/fl/rounds/{id}/advertise-keys/{client}. {@code NOT_READY} while the phase is open. */
  public byte[] advertisements(String roundId, int client) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      return r.server.advertisementsFor(client);
    }
  }

  /** POST /v1/fl/rounds/{id}/share-keys. */
  public boolean submitShares(String roundId, byte[] body) {
    return submit(roundId, Phase.SHARE_KEYS, body);
  }

  /** GET /v1/fl/rounds/{id}/share-keys/{client}. */
  public byte[] shares(String roundId, int client) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      return r.server.sharesFor(client);
    }
  }

  /** POST /v1/fl/rounds/{id}/masked-input. */
  public boolean submitMaskedInput(String roundId, byte[] body) {
    return submit(roundId, Phase.MASKED_INPUT, body);
  }

  /** GET /v1/fl/rounds/{id}/consistency-check. */
  public byte[] consistencyRequest(String roundId) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      return r.server.consistencyRequest();
    }
  }

  /** POST /v1/fl/rounds/{id}/consistency-check. */
  public boolean submitConsistencyCheck(String roundId, byte[] body) {
    return submit(roundId, Phase.CONSISTENCY_CHECK, body);
  }

  /** GET /v1/fl/rounds/{id}/unmask. */
  public byte[] unmaskRequest(String roundId) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      return r.server.unmaskRequest();
    }
  }

  /** POST /v1/fl/rounds/{id}/unmask. */
  public boolean submitUnmask(String roundId, byte[] body) {
    return submit(roundId, Phase.UNMASK, body);
  }

  /** GET /v1/fl/rounds/{id}/result, for a principal the policy lists as reader. */
  public byte[] result(String roundId, String principal) {
    Round r = round(roundId);
    if (principal == null || !r.readers.contains(principal)) {
      throw new SecAggException(SecAggException.Code.FORBIDDEN, "principal " + principal + " may not read the aggregate of round " + roundId);
    }
    synchronized (r) {
      advance(r);
      return r.server.result().toBytes();
    }
  }

  /**
   * The differential-privacy guarantee of a completed round whose encoding adds noise, for the policy's δ:
   * computed for the actual number of survivors (whose noise is in the sum). Empty if the round has no
   * noise. {@code NOT_READY} until the round is complete.
   */
  public java.util.Optional<DistributedDp.Guarantee> privacyGuarantee(String roundId, double delta) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      AggregateResult res = r.server.result();
      FixedPointEncoding enc = r.cfg.encoding().orElse(null);
      if (enc == null || !(enc.clientNoiseSigma() > 0)) return java.util.Optional.empty();
      return java.util.Optional.of(DistributedDp.guarantee(enc, enc.modelLength(r.cfg.vectorLength()), res.survivors().length, delta));
    }
  }

  /** Ends a round now (operator action); recorded in the journal. */
  public void cancel(String roundId, String reason) {
    Round r = round(roundId);
    synchronized (r) {
      if (r.server.state().phase() == null) return;
      Phase open = r.server.state().phase();
      int expected = r.server.expected().length;
      int got = r.server.receivedInOpenPhase().length;
      r.server.fail(reason);
      append(r, RoundJournal.FAIL, reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      r.endedAt = clock.millis();
      listener.phaseClosed(roundId, open, got, expected, r.server.state(), reason, Instant.ofEpochMilli(r.endedAt));
    }
  }

  /** Closes every phase whose deadline has passed. Call periodically. */
  public void tick() {
    for (Round r : rounds.values()) {
      synchronized (r) {
        advance(r);
      }
    }
  }

  /** Ids of the rounds held (including finished ones). */
  public List<String> roundIds() {
    List<String> ids = new ArrayList<>(rounds.keySet());
    Collections.sort(ids);
    return ids;
  }

  // ---- internals ----------------------------------------------------------------------------------------

  private Round round(String roundId) {
    String bad = damaged.get(roundId);
    if (bad != null) throw new SecAggException(SecAggException.Code.IO, bad);
    Round r = rounds.get(roundId);
    if (r == null) throw new SecAggException(SecAggException.Code.NOT_FOUND, "no round " + roundId);
    return r;
  }

  private boolean submit(String roundId, Phase phase, byte[] body) {
    Round r = round(roundId);
    synchronized (r) {
      advance(r);
      boolean fresh = r.server.accept(phase, body);
      if (fresh) {
        byte[] payload = new byte[body.length + 1];
        payload[0] = (byte) phase.code();
        System.arraycopy(body, 0, payload, 1, body.length);
        append(r, RoundJournal.MESSAGE, payload);
        advance(r);
      }
      return fresh;
    }
  }

  /** Closes the open phase while it is complete or past its deadline. Caller holds the round's lock. */
  private void advance(Round r) {
    long now = clock.millis();
    while (true) {
      Phase open = r.server.state().phase();
      if (open == null) return;
      boolean due = r.server.allExpectedReceived() || now >= r.openedAt + r.timeoutMillis[open.ordinal()];
      if (!due) return;
      int expected = r.server.expected().length;
      int got = r.server.receivedInOpenPhase().length;
      SecAggServer.State st = r.server.closePhase();
      append(r, RoundJournal.CLOSE, new byte[] {(byte) open.code()});
      r.openedAt = now;
      if (st.phase() == null) r.endedAt = now;
      try {
        listener.phaseClosed(r.cfg.roundId(), open, got, expected, st, r.server.failureReason(), Instant.ofEpochMilli(now));
      } catch (RuntimeException ignored) {
        // a failing listener must not break the round
      }
    }
  }

  private void append(Round r, int type, byte[] payload) {
    try {
      r.journal.append(type, clock.millis(), payload);
    } catch (IOException e) {
      // memory is now ahead of disk: forget the round so the next call reloads what is durable
      rounds.remove(r.cfg.roundId());
      try {
        r.journal.close();
      } catch (IOException ignored) {
        // already failing
      }
      load(root.resolve(r.cfg.roundId()));
      throw new SecAggException(SecAggException.Code.IO, "cannot persist round " + r.cfg.roundId() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    for (Round r : rounds.values()) {
      try {
        r.journal.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
