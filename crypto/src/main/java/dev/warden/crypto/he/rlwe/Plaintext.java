package dev.warden.crypto.he.rlwe;

/**
 * A plaintext polynomial in NTT form at a level ℓ (limbs q_0..q_ℓ), with the scale it was encoded at.
 * Mutable container; not thread-safe.
 */
public final class Plaintext {
  private final long[][] poly;
  private final int level;
  private double scale;

  public Plaintext(long[][] poly, int level, double scale) {
    if (poly.length != level + 1) {
      throw new IllegalArgumentException("plaintext has " + poly.length + " limbs, level " + level);
    }
    this.poly = poly;
    this.level = level;
    this.scale = scale;
  }

  public long[][] poly() {
    return poly;
  }

  public int level() {
    return level;
  }

  public double scale() {
    return scale;
  }

  public void setScale(double scale) {
    this.scale = scale;
  }
}
