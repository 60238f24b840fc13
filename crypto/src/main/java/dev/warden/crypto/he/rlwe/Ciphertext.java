package dev.warden.crypto.he.rlwe;

/**
 * An RLWE ciphertext (c_0, …, c_d) in NTT form at level ℓ, decrypting to Σ c_i·s^i. Degree d is 1
 * normally and 2 after a ciphertext product before relinearisation. The scale is the CKKS metadata.
 *
 * <p>A fresh secret-key ciphertext remembers the 32-byte seed its c_1 was expanded from, so it
 * serialises at half size; any operation that changes c_1 produces a ciphertext without seed.
 * Mutable container; not thread-safe.
 */
public final class Ciphertext {
  private final long[][][] polys;
  private final int level;
  private double scale;
  private byte[] seed;

  public Ciphertext(long[][][] polys, int level, double scale) {
    if (polys.length < 2 || polys.length > 3) {
      throw new IllegalArgumentException("ciphertext degree must be 1 or 2");
    }
    for (long[][] p : polys) {
      if (p.length != level + 1) {
        throw new IllegalArgumentException("ciphertext polynomial has " + p.length + " limbs at level " + level);
      }
    }
    this.polys = polys;
    this.level = level;
    this.scale = scale;
  }

  public static Ciphertext allocate(int n, int degree, int level, double scale) {
    return new Ciphertext(new long[degree + 1][level + 1][n], level, scale);
  }

  /** Number of polynomials (degree + 1). */
  public int size() {
    return polys.length;
  }

  public long[][] poly(int i) {
    return polys[i];
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

  /** Seed of c_1 (fresh secret-key encryption only), or null. */
  public byte[] seed() {
    return seed == null ? null : seed.clone();
  }

  /** Forgets the seed (called by every operation that changes c_1). */
  public void clearSeed() {
    this.seed = null;
  }

  void setSeed(byte[] seed) {
    this.seed = seed == null ? null : seed.clone();
  }

  public Ciphertext copy() {
    long[][][] c = new long[polys.length][level + 1][];
    for (int i = 0; i < polys.length; i++) {
      for (int j = 0; j <= level; j++) {
        c[i][j] = polys[i][j].clone();
      }
    }
    Ciphertext r = new Ciphertext(c, level, scale);
    r.seed = seed == null ? null : seed.clone();
    return r;
  }

  @Override
  public String toString() {
    return "Ciphertext(size=" + polys.length + ", level=" + level + ", log2scale="
        + String.format("%.2f", Math.log(scale) / Math.log(2)) + ")";
  }
}
