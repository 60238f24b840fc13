package dev.warden.gateway.privacy;

import dev.warden.crypto.dp.ExponentialMechanism;
import dev.warden.crypto.dp.NoisePool;
import dev.warden.crypto.dp.NonPrivateCoarsening;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.PrivacyCost;

/**
 * What the privacy stage does to one output row: add calibrated noise (DP), release only a noisy
 * arg-max label (DP), or coarsen (top-k, rounding: heuristics, not DP, and labelled so). Built once per
 * policy load from the route's {@code privacy:} section; thread-safe.
 */
interface OutputMechanism {
  /** The budget one released row costs; zero for non-DP coarsening. */
  PrivacyCost costPerRow();

  /** Whether this is differentially private (false: a heuristic). */
  boolean isDp();

  /** The values to release for one row. */
  double[] apply(double[] row);

  /** Numeric noise from {@code crypto}'s exact samplers, taken from a pre-filled pool (constant time). */
  record Noise(NumericMechanism mechanism, NoisePool pool) implements OutputMechanism {
    @Override
    public PrivacyCost costPerRow() {
      return mechanism.cost();
    }

    @Override
    public boolean isDp() {
      return true;
    }

    @Override
    public double[] apply(double[] row) {
      return mechanism.apply(row, pool).values();
    }
  }

  /** Label-only release: a one-hot vector at the exponential mechanism's choice. */
  record NoisyMax(ExponentialMechanism mechanism) implements OutputMechanism {
    @Override
    public PrivacyCost costPerRow() {
      return mechanism.cost();
    }

    @Override
    public boolean isDp() {
      return true;
    }

    @Override
    public double[] apply(double[] row) {
      double[] out = new double[row.length];
      out[mechanism.select(row)] = 1.0;
      return out;
    }
  }

  /** Coarsening heuristics: cost nothing from the budget and are labelled not DP. */
  interface Coarsening extends OutputMechanism {
    @Override
    default PrivacyCost costPerRow() {
      return PrivacyCost.ofMicros(0);
    }

    @Override
    default boolean isDp() {
      return false;
    }
  }

  /** Keep the k largest values, zero the rest. Not DP. */
  record TopK(int k) implements Coarsening {
    @Override
    public double[] apply(double[] row) {
      return NonPrivateCoarsening.topK(row, k);
    }
  }

  /** Round to a number of decimals. Not DP. */
  record Rounding(int decimals) implements Coarsening {
    @Override
    public double[] apply(double[] row) {
      return NonPrivateCoarsening.round(row, decimals);
    }
  }
}
