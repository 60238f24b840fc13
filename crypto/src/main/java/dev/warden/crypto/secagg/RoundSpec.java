package dev.warden.crypto.secagg;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the policy says about one federated round, before the round exists: the cohort of enrolled
 * clients (name + Ed25519 public key), the minimum number of survivors, the vector length, the tolerated
 * dropout and corruption fractions (from which threshold and neighbour graph are derived), a timeout per
 * phase, who may read the aggregate, and optionally the fixed-point encoding clients must use.
 * Immutable; build with {@link #builder()}.
 */
public final class RoundSpec {
  /** Default per-phase timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private final String roundId;
  private final String label;
  private final List<RoundConfig.Member> cohort;
  private final int minSurvivors;
  private final int vectorLength;
  private final double dropoutFraction;
  private final double corruptionFraction;
  private final Map<Phase, Duration> timeouts;
  private final Set<String> readers;
  private final FixedPointEncoding encoding;
  private final Ring ring;

  private RoundSpec(Builder b) {
    this.roundId = b.roundId;
    this.label = b.label;
    this.cohort = List.copyOf(b.cohort);
    this.minSurvivors = b.minSurvivors;
    this.vectorLength = b.vectorLength;
    this.dropoutFraction = b.dropoutFraction;
    this.corruptionFraction = b.corruptionFraction;
    this.timeouts = new EnumMap<>(b.timeouts);
    this.readers = Set.copyOf(b.readers);
    this.encoding = b.encoding;
    this.ring = b.ring;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Round id, or null to let the coordinator draw a random one. */
  public String roundId() {
    return roundId;
  }

  public String label() {
    return label;
  }

  public List<RoundConfig.Member> cohort() {
    return cohort;
  }

  public int minSurvivors() {
    return minSurvivors;
  }

  /** Length of the ring vector each client submits (including a weight coordinate, if any). */
  public int vectorLength() {
    return vectorLength;
  }

  public double dropoutFraction() {
    return dropoutFraction;
  }

  public double corruptionFraction() {
    return corruptionFraction;
  }

  public Duration timeout(Phase p) {
    return timeouts.getOrDefault(p, DEFAULT_TIMEOUT);
  }

  public Set<String> readers() {
    return readers;
  }

  public FixedPointEncoding encoding() {
    return encoding;
  }

  /** The ring: explicit, else the smallest that fits the encoding, else Z_2^32. */
  public Ring ring() {
    if (ring != null) return ring;
    return encoding != null ? encoding.ringFor(cohort.size()) : Ring.Z2_32;
  }

  /** Builder; {@link #build()} validates. */
  public static final class Builder {
    private String roundId;
    private String label = RoundConfig.DEFAULT_LABEL;
    private final List<RoundConfig.Member> cohort = new ArrayList<>();
    private int minSurvivors = 2;
    private int vectorLength;
    private double dropoutFraction = 0.1;
    private double corruptionFraction = 0.1;
    private final Map<Phase, Duration> timeouts = new EnumMap<>(Phase.class);
    private final Set<String> readers = new LinkedHashSet<>();
    private FixedPointEncoding encoding;
    private Ring ring;

    public Builder roundId(String id) {
      this.roundId = id;
      return this;
    }

    public Builder label(String label) {
      this.label = label;
      return this;
    }

    public Builder member(String name, byte[] ed25519PublicKey) {
      cohort.add(new RoundConfig.Member(name, ed25519PublicKey));
      return this;
    }

    public Builder minSurvivors(int m) {
      this.minSurvivors = m;
      return this;
    }

    public Builder vectorLength(int len) {
      this.vectorLength = len;
      return this;
    }

    public Builder dropoutFraction(double f) {
      this.dropoutFraction = f;
      return this;
    }

    public Builder corruptionFraction(double f) {
      this.corruptionFraction = f;
      return this;
    }

    public Builder timeout(Phase p, Duration d) {
      timeouts.put(p, d);
      return this;
    }

    /** Same timeout for every phase. */
    public Builder timeouts(Duration d) {
      for (Phase p : Phase.values()) timeouts.put(p, d);
      return this;
    }

    public Builder reader(String principal) {
      readers.add(principal);
      return this;
    }

    /** Clients encode real-valued updates of {@code modelLength} entries with this encoding. */
    public Builder encoding(FixedPointEncoding enc, int modelLength) {
      this.encoding = enc;
      this.vectorLength = enc.vectorLength(modelLength);
      return this;
    }

    public Builder ring(Ring r) {
      this.ring = r;
      return this;
    }

    public RoundSpec build() {
      if (cohort.size() < 2) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "a round needs at least 2 enrolled clients");
      if (minSurvivors < 1 || minSurvivors > cohort.size()) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "minimum survivors must be in [1, " + cohort.size() + "]");
      if (vectorLength < 1 || vectorLength > RoundConfig.MAX_VECTOR) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "vector length must be in [1, " + RoundConfig.MAX_VECTOR + "]");
      for (Duration d : timeouts.values()) {
        if (d.isNegative() || d.isZero()) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "timeouts must be positive");
      }
      if (readers.isEmpty()) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "name at least one principal allowed to read the aggregate");
      return new RoundSpec(this);
    }
  }
}
