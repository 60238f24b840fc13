package dev.warden.gateway.dpviz;

import dev.warden.crypto.dp.ExponentialMechanism;
import dev.warden.crypto.dp.NoisePool;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyCost;
import dev.warden.crypto.dp.Zcdp;
import java.util.Locale;
import java.util.Objects;

/**
 * A route's output mechanism without its per-query ε: the same choices and defaults as the gateway's
 * {@code privacy:} section (mechanism, outputKind, dimension, bounds, sensitivity), so that the evaluation shows
 * exactly what the route would release.
 *
 * <p>Mapping (as in the gateway's privacy stage): {@code gaussian} with {@code probabilities} →
 * {@link NumericMechanismParams#probabilityVectorGaussian} (L2 = √2, clamp and renormalise); {@code laplace}
 * with {@code probabilities} → {@link NumericMechanismParams#probabilityVectorLaplace} (L1 = 2); with
 * {@code logits} or {@code values} both need declared bounds and sensitivity ({@code l2} / {@code l1});
 * {@code noisy-max} → {@link ExponentialMechanism#forProbabilities} for probabilities, else
 * {@link ExponentialMechanism#create} with sensitivity l1 (default 1) and bounds (default [0, 1]).
 *
 * @param mechanism gaussian, laplace or noisy-max
 * @param outputKind probabilities, logits or values
 * @param dimension values per output row
 * @param lower clamping lower bound (NaN: not declared)
 * @param upper clamping upper bound (NaN: not declared)
 * @param l1 declared L1 sensitivity (NaN: not declared)
 * @param l2 declared L2 sensitivity (NaN: not declared)
 * @param calibration how a Gaussian's ρ follows from ε
 */
public record ReleaseSpec(Mechanism mechanism, OutputKind outputKind, int dimension, double lower, double upper,
    double l1, double l2, GaussianCalibration calibration) {

  /** The mechanism of the route. */
  public enum Mechanism {
    GAUSSIAN, LAPLACE, NOISY_MAX;

    /** The policy's spelling: gaussian, laplace, noisy-max. */
    public String policyName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses the policy's spelling. */
    public static Mechanism parse(String s) {
      for (Mechanism m : values()) {
        if (m.policyName().equals(s)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown mechanism '" + s + "' (gaussian, laplace, noisy-max)");
    }
  }

  /** What the model's output row is. */
  public enum OutputKind {
    PROBABILITIES, LOGITS, VALUES;

    public String policyName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static OutputKind parse(String s) {
      for (OutputKind k : values()) {
        if (k.policyName().equals(s)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown output kind '" + s + "' (probabilities, logits, values)");
    }
  }

  /** How a Gaussian's ρ follows from the per-query ε. */
  public enum GaussianCalibration {
    /**
     * ρ = the largest ρ whose improved zCDP→(ε, δ) conversion gives ε at δ ({@link Zcdp#rhoCapImproved}): each
     * query is (ε, δ)-DP, so the attack bound at ε holds for it.
     */
    ZCDP_AT_DELTA("zcdp"),
    /**
     * ρ = ε²/2, what the gateway does with a Gaussian route's {@code epsilonPerQuery}: the same ρ a pure ε-DP
     * query is charged, but the Gaussian release is then only (ε', δ)-DP with ε' &gt; ε.
     */
    EPSILON_SQUARED_HALF("eps2half");

    private final String cliName;

    GaussianCalibration(String cliName) {
      this.cliName = cliName;
    }

    public String cliName() {
      return cliName;
    }

    public static GaussianCalibration parse(String s) {
      for (GaussianCalibration c : values()) {
        if (c.cliName.equals(s)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown Gaussian calibration '" + s + "' (zcdp, eps2half)");
    }
  }

  public ReleaseSpec {
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(outputKind, "outputKind");
    Objects.requireNonNull(calibration, "calibration");
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
    }
    if (mechanism != Mechanism.NOISY_MAX && outputKind != OutputKind.PROBABILITIES) {
      if (Double.isNaN(lower) || Double.isNaN(upper)) {
        throw new IllegalArgumentException(outputKind.policyName() + " need declared clamping bounds (min, max)");
      }
      if (mechanism == Mechanism.GAUSSIAN && Double.isNaN(l2)) {
        throw new IllegalArgumentException(outputKind.policyName() + " need the declared sensitivity l2");
      }
      if (mechanism == Mechanism.LAPLACE && Double.isNaN(l1)) {
        throw new IllegalArgumentException(outputKind.policyName() + " need the declared sensitivity l1");
      }
    }
    if (mechanism == Mechanism.NOISY_MAX && outputKind == OutputKind.VALUES) {
      throw new IllegalArgumentException("noisy-max releases a label: it needs probabilities or logits");
    }
  }

  /** The defaults of a probability-vector route: no bounds or sensitivity to declare. */
  public static ReleaseSpec forProbabilities(Mechanism mechanism, int classes) {
    return new ReleaseSpec(mechanism, OutputKind.PROBABILITIES, classes, Double.NaN, Double.NaN, Double.NaN,
        Double.NaN, GaussianCalibration.ZCDP_AT_DELTA);
  }

  /** ρ of one Gaussian query at per-query ε (NaN for the pure-ε mechanisms). */
  public double rhoFor(double epsilon, double delta) {
    if (mechanism != Mechanism.GAUSSIAN) {
      return Double.NaN;
    }
    if (calibration == GaussianCalibration.EPSILON_SQUARED_HALF) {
      return epsilon * epsilon / 2;
    }
    // rounded down to whole micro-units (less ρ = more noise, still (ε, δ)-DP), so that the ledger's cost
    // (rounded up) equals it and a budget of exactly this ε admits one query
    double rho = Zcdp.rhoCapImproved(epsilon, delta);
    double micros = Math.floor(rho * PrivacyCost.MICROS_PER_RHO);
    return micros >= 1 ? micros / PrivacyCost.MICROS_PER_RHO : rho;
  }

  /** The ε one query actually satisfies at δ (Gaussian: improved conversion of its ρ; otherwise ε, with δ = 0). */
  public double epsilonAtDelta(double epsilon, double delta) {
    return mechanism == Mechanism.GAUSSIAN ? Zcdp.epsilonImproved(rhoFor(epsilon, delta), delta) : epsilon;
  }

  /** Whether one query is pure ε-DP (δ = 0). */
  public boolean pure() {
    return mechanism != Mechanism.GAUSSIAN;
  }

  /**
   * Builds the release at per-query ε (starting a noise pool for numeric mechanisms; close the release).
   *
   * @throws IllegalArgumentException if ε or the parameters cannot be realised
   */
  public Release at(double epsilon, double delta) {
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
    }
    boolean probs = outputKind == OutputKind.PROBABILITIES;
    switch (mechanism) {
      case NOISY_MAX: {
        ExponentialMechanism em = probs ? ExponentialMechanism.forProbabilities(epsilon)
            : ExponentialMechanism.create(epsilon, Double.isNaN(l1) ? 1 : l1, Double.isNaN(lower) ? 0 : lower,
                Double.isNaN(upper) ? 1 : upper);
        return new Release.Label(em);
      }
      case GAUSSIAN: {
        double rho = rhoFor(epsilon, delta);
        NumericMechanismParams p = probs ? NumericMechanismParams.probabilityVectorGaussian(dimension, rho)
            : NumericMechanismParams.gaussian(dimension, lower, upper, l2, rho);
        return Release.Noise.start(NumericMechanism.create(p));
      }
      case LAPLACE: {
        NumericMechanismParams p = probs ? NumericMechanismParams.probabilityVectorLaplace(dimension, epsilon)
            : NumericMechanismParams.laplace(dimension, lower, upper, l1, epsilon);
        return Release.Noise.start(NumericMechanism.create(p));
      }
      default:
        throw new AssertionError(mechanism);
    }
  }

  /** One configured mechanism at one ε. */
  public interface Release extends AutoCloseable {
    /** The ρ one release is charged (rounded up, as the ledger charges it). */
    PrivacyCost cost();

    /** The noise scale in output units (σ or b), NaN for a label release. */
    double noiseScale();

    /** One release of {@code row}: the noisy row, or for a label release a one-hot row at the chosen label. */
    double[] apply(double[] row);

    @Override
    void close();

    /** Numeric noise from the exact samplers through a pool, as in the gateway. */
    final class Noise implements Release {
      /** Pool slots: a few hundred output rows of a 10-class vector per refill. */
      private static final int POOL_CAPACITY = 1 << 14;
      private final NumericMechanism mechanism;
      private final NoisePool pool;

      private Noise(NumericMechanism mechanism, NoisePool pool) {
        this.mechanism = mechanism;
        this.pool = pool;
      }

      static Noise start(NumericMechanism m) {
        return new Noise(m, m.startPool(POOL_CAPACITY));
      }

      @Override
      public PrivacyCost cost() {
        return mechanism.cost();
      }

      @Override
      public double noiseScale() {
        return mechanism.noiseScale();
      }

      @Override
      public double[] apply(double[] row) {
        return mechanism.apply(row, pool).values();
      }

      @Override
      public void close() {
        pool.close();
      }
    }

    /** Label-only release (exponential mechanism). */
    final class Label implements Release {
      private final ExponentialMechanism mechanism;

      Label(ExponentialMechanism mechanism) {
        this.mechanism = mechanism;
      }

      @Override
      public PrivacyCost cost() {
        return mechanism.cost();
      }

      @Override
      public double noiseScale() {
        return Double.NaN;
      }

      @Override
      public double[] apply(double[] row) {
        double[] out = new double[row.length];
        out[mechanism.select(row)] = 1.0;
        return out;
      }

      @Override
      public void close() {}
    }
  }
}
