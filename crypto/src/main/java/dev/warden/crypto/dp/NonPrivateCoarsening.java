package dev.warden.crypto.dp;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Output coarsening heuristics: top-k and rounding. <b>These are NOT differential privacy</b> and give no
 * provable protection; they only reduce how much of the score vector a caller sees, which raises the cost of
 * some model-extraction and membership-inference attacks in practice (label-only attacks still work). Use them
 * on top of, or where no budget is configured instead of, a DP mechanism, and label them as heuristics in
 * configuration and documentation.
 */
public final class NonPrivateCoarsening {
    private NonPrivateCoarsening() {
    }

    /**
     * Keeps the {@code k} largest values (ties: lower index first) and sets every other value to 0.
     *
     * @throws IllegalArgumentException if {@code k < 1} or a value is NaN
     */
    public static double[] topK(double[] values, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        }
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                throw new IllegalArgumentException("value " + i + " is NaN");
            }
        }
        int[] order = IntStream.range(0, values.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -values[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
        double[] out = new double[values.length];
        for (int j = 0; j < Math.min(k, order.length); j++) {
            out[order[j]] = values[order[j]];
        }
        return out;
    }

    /** Indices of the {@code k} largest values, largest first (ties: lower index first). */
    public static int[] topKIndices(double[] values, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("top-k needs k >= 1, got " + k);
        }
        return IntStream.range(0, values.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -values[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    /** Rounds every value to {@code decimals} decimal places (half-even). */
    public static double[] round(double[] values, int decimals) {
        if (decimals < 0 || decimals > 15) {
            throw new IllegalArgumentException("decimals must be in [0, 15], got " + decimals);
        }
        return Arrays.stream(values).map(v -> Double.isFinite(v)
                ? new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN).doubleValue()
                : v).toArray();
    }
}
