package dev.warden.crypto.he.rlwe;

/** The secret and error distributions (one place, as the HE standard's parameter tables assume them). */
public final class Distributions {
  private Distributions() {}

  /** Secret: uniform ternary, each coefficient in {-1, 0, 1} with probability 1/3. */
  public static final String SECRET = "uniform-ternary";

  /** Error: discrete Gaussian with standard deviation 3.2, truncated at 6σ. */
  public static final double SIGMA = 3.2;
}
