package dev.warden.crypto.dp;

import java.math.BigInteger;

/**
 * The exact samplers of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy"
 * (NeurIPS 2020, arXiv:2004.00010), Algorithms 1–3, using only integer arithmetic and uniform random bits.
 *
 * <p><b>Why exact.</b> Floating-point noise (e.g. {@code -b·ln(U)}) leaves holes and bumps in the output
 * distribution that reveal the unnoised value (Mironov, CCS 2012). Here every probability is a rational
 * number and every random decision compares uniform bits with the binary expansion of that rational, so
 * the sampled distribution is exactly the named one.
 *
 * <p><b>Bernoulli(n/d)</b> compares the bits of a uniform U ∈ [0,1), drawn lazily, with the binary expansion
 * of n/d (computed by long division); the first differing bit decides. Expected cost: 2 random bits.
 *
 * <p><b>Fast paths.</b> Every routine has a {@code long} version, valid while all intermediate values stay
 * below {@link #LIMIT} (checked with exact arithmetic, never assumed), and a {@link BigInteger} version used
 * otherwise. Both compute the same distribution.
 *
 * <p><b>Timing.</b> Running time depends on the random draws and therefore on the noise value. Callers that
 * need latency independent of the noise draw samples ahead of time ({@link NoisePool}).
 */
final class ExactSampling {

    /** Upper bound for denominators on the long path: doubling a remainder below 2^62 cannot overflow. */
    static final long LIMIT = 1L << 62;

    private static final BigInteger BIG_LIMIT = BigInteger.valueOf(LIMIT);

    private ExactSampling() {
    }

    // ---------------------------------------------------------------- Bernoulli(n/d)

    /** Bernoulli(n/d) for {@code 0 <= n <= d}, {@code 0 < d <= 2^62}. */
    static boolean bernoulli(long n, long d, RandomBits bits) {
        if (n <= 0) {
            return false;
        }
        if (n >= d) {
            return true;
        }
        long r = n;
        while (true) {
            r <<= 1;
            int digit = 0;
            if (r >= d) {
                digit = 1;
                r -= d;
            }
            int u = bits.nextBit();
            if (u != digit) {
                return u < digit; // U's bit 0 where p's bit is 1  ⇒  U < p
            }
            if (r == 0) {
                return false; // p's expansion ended; U equals p so far, so U >= p almost surely
            }
        }
    }

    /** Bernoulli(n/d) for {@code 0 <= n <= d}, {@code d > 0}, any size. */
    static boolean bernoulli(BigInteger n, BigInteger d, RandomBits bits) {
        if (n.signum() <= 0) {
            return false;
        }
        if (n.compareTo(d) >= 0) {
            return true;
        }
        if (d.compareTo(BIG_LIMIT) <= 0) {
            return bernoulli(n.longValueExact(), d.longValueExact(), bits);
        }
        BigInteger r = n;
        while (true) {
            r = r.shiftLeft(1);
            int digit = 0;
            if (r.compareTo(d) >= 0) {
                digit = 1;
                r = r.subtract(d);
            }
            int u = bits.nextBit();
            if (u != digit) {
                return u < digit;
            }
            if (r.signum() == 0) {
                return false;
            }
        }
    }

    // ---------------------------------------------------------------- Bernoulli(exp(-γ))

    /** Bernoulli(exp(-n/d)) for {@code n >= 0}, {@code 0 < d <= 2^62} (CKS Algorithm 1). */
    static boolean bernoulliExp(long n, long d, RandomBits bits) {
        long whole = n / d;
        for (long i = 0; i < whole; i++) {
            if (!bernoulliExpOne(bits)) {
                return false;
            }
        }
        return bernoulliExpAtMostOne(n % d, d, bits);
    }

    /** Bernoulli(exp(-γ)) for rational {@code γ = n/d >= 0}, any size. */
    static boolean bernoulliExp(BigInteger n, BigInteger d, RandomBits bits) {
        if (d.compareTo(BIG_LIMIT) <= 0 && n.bitLength() < 63) {
            return bernoulliExp(n.longValueExact(), d.longValueExact(), bits);
        }
        BigInteger[] qr = n.divideAndRemainder(d);
        for (BigInteger i = BigInteger.ZERO; i.compareTo(qr[0]) < 0; i = i.add(BigInteger.ONE)) {
            if (!bernoulliExpOne(bits)) {
                return false;
            }
        }
        BigInteger r = qr[1];
        long k = 1;
        while (bernoulli(r, d.multiply(BigInteger.valueOf(k)), bits)) {
            k++;
        }
        return (k & 1) == 1;
    }

    /** Bernoulli(exp(-1)). */
    static boolean bernoulliExpOne(RandomBits bits) {
        long k = 1;
        while (bernoulli(1, k, bits)) {
            k++;
        }
        return (k & 1) == 1;
    }

    /** Bernoulli(exp(-n/d)) for {@code 0 <= n <= d}: K ← 1; while Bernoulli(γ/K) do K ← K+1; return K odd. */
    private static boolean bernoulliExpAtMostOne(long n, long d, RandomBits bits) {
        if (n == 0) {
            return true;
        }
        long k = 1;
        while (true) {
            boolean a;
            if (k <= LIMIT / d) {
                a = bernoulli(n, d * k, bits);
            } else {
                a = bernoulli(BigInteger.valueOf(n), BigInteger.valueOf(d).multiply(BigInteger.valueOf(k)), bits);
            }
            if (!a) {
                return (k & 1) == 1;
            }
            k++;
        }
    }

    // ---------------------------------------------------------------- discrete Laplace

    /**
     * Discrete Laplace with scale t/s: P(y) ∝ exp(-|y|·s/t) (CKS Algorithm 2), long path for
     * {@code 0 < s}, {@code 0 < t <= 2^62}.
     *
     * @throws ArithmeticException if the sample does not fit in a long (probability below 2^-60 for any
     *     scale under 2^56)
     */
    static long discreteLaplace(long s, long t, RandomBits bits) {
        while (true) {
            long u = bits.uniform(t);
            if (!bernoulliExp(u, t, bits)) {
                continue;
            }
            long v = 0;
            while (bernoulliExpOne(bits)) {
                v++;
            }
            long x = Math.addExact(u, Math.multiplyExact(t, v));
            long y = x / s;
            boolean negative = bits.nextBit() == 1;
            if (negative && y == 0) {
                continue;
            }
            return negative ? -y : y;
        }
    }

    /** Discrete Laplace with scale t/s, any size. */
    static BigInteger discreteLaplace(BigInteger s, BigInteger t, RandomBits bits) {
        while (true) {
            BigInteger u = bits.uniform(t);
            if (!bernoulliExp(u, t, bits)) {
                continue;
            }
            long v = 0;
            while (bernoulliExpOne(bits)) {
                v++;
            }
            BigInteger y = u.add(t.multiply(BigInteger.valueOf(v))).divide(s);
            boolean negative = bits.nextBit() == 1;
            if (negative && y.signum() == 0) {
                continue;
            }
            return negative ? y.negate() : y;
        }
    }

    // ---------------------------------------------------------------- discrete Gaussian

    /**
     * Discrete Gaussian N_Z(0, σ²) with σ² = n/d (CKS Algorithm 3): t = ⌊σ⌋+1; draw Y from the discrete
     * Laplace with scale t; accept with probability exp(-(|Y| - σ²/t)² / (2σ²)).
     *
     * <p>With σ² = n/d the acceptance exponent is (|Y|·d·t − n)² / (2·n·d·t²), an exact rational.
     */
    static final class Gaussian {
        private final BigInteger n;
        private final BigInteger d;
        private final BigInteger t;
        private final BigInteger accDen; // 2·n·d·t²
        private final boolean fast;
        private final long nL;
        private final long dL;
        private final long tL;
        private final long dtL; // d·t
        private final long accDenL;

        Gaussian(Rational sigmaSquared) {
            if (sigmaSquared.isZero()) {
                throw new IllegalArgumentException("sigma^2 must be positive");
            }
            this.n = sigmaSquared.numerator();
            this.d = sigmaSquared.denominator();
            this.t = sigmaSquared.floorSqrt().add(BigInteger.ONE);
            this.accDen = BigInteger.TWO.multiply(n).multiply(d).multiply(t).multiply(t);
            this.fast = accDen.compareTo(BIG_LIMIT) <= 0;
            this.nL = fast ? n.longValueExact() : 0;
            this.dL = fast ? d.longValueExact() : 0;
            this.tL = fast ? t.longValueExact() : 0;
            this.dtL = fast ? d.multiply(t).longValueExact() : 0;
            this.accDenL = fast ? accDen.longValueExact() : 0;
        }

        boolean isFast() {
            return fast;
        }

        long sample(RandomBits bits) {
            if (!fast) {
                return sampleBig(bits).longValueExact();
            }
            while (true) {
                long y = discreteLaplace(1, tL, bits);
                long a = Math.abs(y);
                long num;
                try {
                    long diff = Math.subtractExact(Math.multiplyExact(a, dtL), nL);
                    num = Math.multiplyExact(diff, diff);
                } catch (ArithmeticException overflow) {
                    BigInteger diff = BigInteger.valueOf(a).multiply(d).multiply(t).subtract(n);
                    if (bernoulliExp(diff.multiply(diff), accDen, bits)) {
                        return y;
                    }
                    continue;
                }
                if (bernoulliExp(num, accDenL, bits)) {
                    return y;
                }
            }
        }

        BigInteger sampleBig(RandomBits bits) {
            while (true) {
                BigInteger y = discreteLaplace(BigInteger.ONE, t, bits);
                BigInteger diff = y.abs().multiply(d).multiply(t).subtract(n);
                if (bernoulliExp(diff.multiply(diff), accDen, bits)) {
                    return y;
                }
            }
        }
    }
}
