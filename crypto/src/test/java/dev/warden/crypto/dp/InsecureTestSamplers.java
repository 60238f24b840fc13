package dev.warden.crypto.dp;

/**
 * TEST ONLY factory of <b>insecure</b>, seeded samplers, for reproducible tests in any package of the crypto
 * module (e.g. secure aggregation). Each returned sampler must be used from a single thread. Never use
 * outside tests: the noise is predictable from the seed.
 */
public final class InsecureTestSamplers {
    private InsecureTestSamplers() {
    }

    /** A seeded discrete Gaussian sampler N_ℤ(0, σ²). Single-threaded use only. */
    public static DiscreteGaussianSampler insecureDiscreteGaussian(Rational sigmaSquared, long seed) {
        InsecureDeterministicBits bits = new InsecureDeterministicBits(seed);
        return DiscreteGaussianSampler.withBits(sigmaSquared, () -> bits);
    }

    /** A seeded discrete Laplace sampler. Single-threaded use only. */
    public static DiscreteLaplaceSampler insecureDiscreteLaplace(Rational scale, long seed) {
        InsecureDeterministicBits bits = new InsecureDeterministicBits(seed);
        return DiscreteLaplaceSampler.withBits(scale, () -> bits);
    }
}
