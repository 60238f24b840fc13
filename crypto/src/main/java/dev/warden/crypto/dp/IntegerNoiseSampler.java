package dev.warden.crypto.dp;

/**
 * Draws integer noise from a fixed, exactly specified distribution over ℤ.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>The output distribution is <em>exactly</em> the one named by the implementation (no floating point,
 *       no truncation of the support other than {@code long} range, which is never reached for the scales the
 *       mechanisms use: an {@link ArithmeticException} would be thrown rather than a wrong value returned).</li>
 *   <li>Randomness comes from a per-thread {@code SecureRandom} DRBG; instances built through the public
 *       factories cannot be given another source.</li>
 *   <li>Implementations are immutable and safe to share between threads.</li>
 * </ul>
 * <p>Not guaranteed: constant running time. The time a sample takes depends on its value; draw noise ahead of
 * time through a {@link NoisePool} when latency is observable.
 */
public interface IntegerNoiseSampler {

    /** One sample. */
    long sample();

    /** Fills {@code out} with independent samples. */
    default void sample(long[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = sample();
        }
    }
}
