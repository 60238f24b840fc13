package dev.warden.crypto.secagg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The public, immutable description of one round, fixed when the round is created and sent to every
 * client: protocol label, round id, the cohort (client index → name and enrolled Ed25519 key), threshold,
 * neighbour graph, vector length, ring and (optionally) the fixed-point encoding clients should use.
 *
 * <p>Its SHA-256 over the canonical encoding is the round's <em>context hash</em>: every signature, every
 * HKDF derivation and every share ciphertext is bound to it, so nothing from one round (or one cohort, or
 * one protocol version) is accepted in another.
 */
public final class RoundConfig {
  /** Default protocol label. */
  public static final String DEFAULT_LABEL = "warden/secagg+/v1";
  static final int MAX_COHORT = 100_000;
  static final int MAX_VECTOR = 1 << 26;
  private static final Pattern ROUND_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}");
  private static final byte[] MAGIC = {'W', 'S', 'A', 'C'};
  private static final int VERSION = 1;

  /** One enrolled client of the cohort. */
  public static final class Member {
    private final String name;
    private final byte[] publicKey;

    public Member(String name, byte[] publicKey) {
      if (name == null || name.isEmpty() || name.length() > 200) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "member name must be 1..200 characters");
      if (publicKey == null || publicKey.length != SigningKey.PUBLIC_KEY_BYTES) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "member " + name + ": Ed25519 public key must be 32 bytes");
      this.name = name;
      this.publicKey = publicKey.clone();
    }

    public String name() {
      return name;
    }

    public byte[] publicKey() {
      return publicKey.clone();
    }

    byte[] publicKeyUnsafe() {
      return publicKey;
    }
  }

  private final String label;
  private final String roundId;
  private final List<Member> cohort;
  private final ThresholdParameters threshold;
  private final byte[] graphSeed;
  private final int vectorLength;
  private final Ring ring;
  private final FixedPointEncoding encoding; // nullable
  private final byte[] encoded;
  private final byte[] contextHash;
  private volatile NeighbourGraph graph;

  private RoundConfig(String label, String roundId, List<Member> cohort, ThresholdParameters threshold, byte[] graphSeed,
      int vectorLength, Ring ring, FixedPointEncoding encoding) {
    this.label = label;
    this.roundId = roundId;
    this.cohort = List.copyOf(cohort);
    this.threshold = threshold;
    this.graphSeed = graphSeed.clone();
    this.vectorLength = vectorLength;
    this.ring = ring;
    this.encoding = encoding;
    this.encoded = encode();
    this.contextHash = Primitives.sha256(encoded);
  }

  /** Validates and builds a configuration. */
  public static RoundConfig create(String label, String roundId, List<Member> cohort, ThresholdParameters threshold,
      byte[] graphSeed, int vectorLength, Ring ring, FixedPointEncoding encoding) {
    if (label == null || label.isEmpty() || label.length() > 100) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "label must be 1..100 characters");
    if (roundId == null || !ROUND_ID.matcher(roundId).matches()) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "round id must match " + ROUND_ID.pattern());
    if (cohort == null || cohort.size() < 2 || cohort.size() > MAX_COHORT) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "cohort size must be in [2, " + MAX_COHORT + "]");
    if (threshold.cohortSize() != cohort.size()) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "threshold parameters are for " + threshold.cohortSize() + " clients, cohort has " + cohort.size());
    Set<String> names = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (Member m : cohort) {
      if (!names.add(m.name())) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "duplicate cohort member " + m.name());
      if (!keys.add(java.util.Base64.getEncoder().encodeToString(m.publicKeyUnsafe()))) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "cohort member " + m.name() + " reuses another member's key");
    }
    if (graphSeed == null || graphSeed.length != 32) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "graph seed must be 32 bytes");
    if (vectorLength < 1 || vectorLength > MAX_VECTOR) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "vector length must be in [1, " + MAX_VECTOR + "]");
    if (ring == null) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "ring is required");
    if (encoding != null && encoding.ringFor(cohort.size()).bits() > ring.bits()) {
      throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "ring " + ring + " is too small for " + encoding + " over " + cohort.size() + " clients");
    }
    return new RoundConfig(label, roundId, cohort, threshold, graphSeed, vectorLength, ring, encoding);
  }

  private byte[] encode() {
    ByteWriter w = new ByteWriter(64 + cohort.size() * 64);
    w.raw(MAGIC).u8(VERSION).str(label).str(roundId).u32(cohort.size());
    for (Member m : cohort) w.str(m.name()).fixed(m.publicKeyUnsafe(), 32);
    w.u32(threshold.degree()).u32(threshold.threshold()).fixed(graphSeed, 32).u32(vectorLength).u8(ring.bits());
    if (encoding == null) {
      w.u8(0);
    } else {
      w.u8(1);
      encoding.writeTo(w);
    }
    return w.toByteArray();
  }

  /** Parses the canonical encoding (as served to clients). */
  public static RoundConfig parse(byte[] bytes) {
    ByteReader r = new ByteReader(bytes, "round config");
    if (!Primitives.ctEquals(r.fixed(4), MAGIC)) throw SecAggException.malformed("round config: bad magic");
    if (r.u8() != VERSION) throw SecAggException.malformed("round config: unsupported version");
    String label = r.str(100);
    String roundId = r.str(64);
    int n = r.u32(2, MAX_COHORT, "cohort size");
    List<Member> cohort = new ArrayList<>(n);
    for (int i = 0; i < n; i++) cohort.add(new Member(r.str(200), r.fixed(32)));
    int degree = r.u32(1, n - 1, "degree");
    int t = r.u32(1, n, "threshold");
    byte[] seed = r.fixed(32);
    int len = r.u32(1, MAX_VECTOR, "vector length");
    Ring ring = Ring.ofBits(r.u8());
    FixedPointEncoding enc = null;
    int hasEnc = r.u8();
    if (hasEnc == 1) enc = FixedPointEncoding.readFrom(r);
    else if (hasEnc != 0) throw SecAggException.malformed("round config: bad encoding flag");
    r.end();
    RoundConfig cfg;
    try {
      cfg = create(label, roundId, cohort, ThresholdParameters.of(n, degree, t), seed, len, ring, enc);
    } catch (SecAggException e) {
      throw SecAggException.malformed("round config: " + e.getMessage());
    }
    if (!Primitives.ctEquals(cfg.encoded, bytes)) throw SecAggException.malformed("round config: not in canonical form");
    return cfg;
  }

  public byte[] toBytes() {
    return encoded.clone();
  }

  /** SHA-256 of the canonical encoding; binds every message and key of the round. */
  public byte[] contextHash() {
    return contextHash.clone();
  }

  byte[] contextHashUnsafe() {
    return contextHash;
  }

  public String label() {
    return label;
  }

  public String roundId() {
    return roundId;
  }

  public int cohortSize() {
    return cohort.size();
  }

  public List<Member> cohort() {
    return Collections.unmodifiableList(cohort);
  }

  /** Member at 1-based index {@code index}. */
  public Member member(int index) {
    if (index < 1 || index > cohort.size()) throw new SecAggException(SecAggException.Code.NOT_ENROLLED, "client index " + index + " is not in the cohort of round " + roundId);
    return cohort.get(index - 1);
  }

  /** 1-based index of the member named {@code name}, if enrolled. */
  public Optional<Integer> indexOf(String name) {
    for (int i = 0; i < cohort.size(); i++) if (cohort.get(i).name().equals(name)) return Optional.of(i + 1);
    return Optional.empty();
  }

  public ThresholdParameters thresholdParameters() {
    return threshold;
  }

  public int threshold() {
    return threshold.threshold();
  }

  byte[] graphSeed() {
    return graphSeed.clone();
  }

  public NeighbourGraph graph() {
    NeighbourGraph g = graph;
    if (g == null) graph = g = NeighbourGraph.of(this);
    return g;
  }

  public int vectorLength() {
    return vectorLength;
  }

  public Ring ring() {
    return ring;
  }

  public Optional<FixedPointEncoding> encoding() {
    return Optional.ofNullable(encoding);
  }

  @Override
  public String toString() {
    return "RoundConfig[" + label + ", round " + roundId + ", n=" + cohort.size() + ", " + threshold + ", length " + vectorLength + ", " + ring + "]";
  }
}
