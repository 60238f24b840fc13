package dev.warden.crypto.secagg;

/**
 * The outcome of a completed round: the sum of the survivors' inputs in the ring, the survivor set, and
 * the round it belongs to (round id and context hash), with a canonical encoding (server response kind 16).
 */
public final class AggregateResult {
  private final String roundId;
  private final byte[] contextHash;
  private final Ring ring;
  private final int[] survivors;
  private final long[] sum;

  AggregateResult(String roundId, byte[] contextHash, Ring ring, int[] survivors, long[] sum) {
    this.roundId = roundId;
    this.contextHash = contextHash.clone();
    this.ring = ring;
    this.survivors = survivors.clone();
    this.sum = sum;
  }

  public String roundId() {
    return roundId;
  }

  public byte[] contextHash() {
    return contextHash.clone();
  }

  public Ring ring() {
    return ring;
  }

  /** 1-based indices of the clients whose inputs are in the sum. */
  public int[] survivors() {
    return survivors.clone();
  }

  /** Σ inputs of the survivors, each entry in [0, 2^bits) (Z_2^64: as a raw long). */
  public long[] sum() {
    return sum.clone();
  }

  /** The mean decoded with the round's encoding. */
  public double[] decodeMean(FixedPointEncoding encoding) {
    return encoding.decodeMean(sum, ring, survivors.length);
  }

  /**
   * Refuses this result unless it belongs to {@code cfg} (same round id and context hash, constant-time).
   */
  public void verifyRound(RoundConfig cfg) {
    if (!roundId.equals(cfg.roundId()) || !Primitives.ctEquals(contextHash, cfg.contextHashUnsafe())) {
      throw new SecAggException(SecAggException.Code.WRONG_ROUND, "aggregate is for round " + roundId + ", not for round " + cfg.roundId() + " as joined");
    }
    if (sum.length != cfg.vectorLength() || ring != cfg.ring()) {
      throw new SecAggException(SecAggException.Code.MALFORMED, "aggregate shape does not match round " + cfg.roundId());
    }
  }

  public byte[] toBytes() {
    return Messages.response(Messages.RESP_AGGREGATE, contextHash, Messages.SERVER).str(roundId).u8(ring.bits())
        .raw(Messages.encodeIndices(survivors)).bytes(ring.encode(sum)).toByteArray();
  }

  /** Parses a result and checks it belongs to {@code cfg}. */
  public static AggregateResult parse(byte[] bytes, RoundConfig cfg) {
    ByteReader r = Messages.openResponse(bytes, Messages.RESP_AGGREGATE, cfg, Messages.SERVER);
    String id = r.str(64);
    Ring ring = Ring.ofBits(r.u8());
    int[] survivors = Messages.parseIndices(r, cfg.cohortSize());
    byte[] v = r.bytes(RoundConfig.MAX_VECTOR * 8);
    r.end();
    if (v.length % ring.bytesPerEntry() != 0) throw SecAggException.malformed("aggregate vector length is not a whole number of entries");
    AggregateResult res = new AggregateResult(id, cfg.contextHashUnsafe(), ring, survivors, ring.decode(v, 0, v.length / ring.bytesPerEntry()));
    res.verifyRound(cfg);
    return res;
  }

  @Override
  public String toString() {
    return "AggregateResult[round " + roundId + ", " + survivors.length + " survivors, " + sum.length + " entries, " + ring + "]";
  }
}
