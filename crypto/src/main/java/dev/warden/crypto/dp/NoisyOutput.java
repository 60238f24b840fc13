package dev.warden.crypto.dp;

/**
 * The result of one release: the noisy values and what had to be clamped. Values are exact multiples of the
 * mechanism's grid 2^k unless the output was renormalised (probability vectors).
 *
 * @param values noisy values (a fresh array owned by the caller)
 * @param clampedInputs inputs that lay outside the declared bounds and were clamped
 * @param overflowed noisy values whose magnitude exceeded the output format and were clamped to it
 */
public record NoisyOutput(double[] values, int clampedInputs, int overflowed) {

    /** The values as float32; exact for outputs produced with {@link NumericMechanism.Precision#FLOAT32}. */
    public float[] asFloats() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }
}
