package dev.warden.crypto.dp;

import java.math.BigInteger;

/**
 * A source of independent, uniformly distributed random bits: the only randomness the exact samplers use.
 *
 * <p>Package-private on purpose: production code obtains bits only from {@link SecureBits} (a per-thread
 * {@code SecureRandom} DRBG). Deterministic sources exist only in the test tree (see
 * {@code InsecureDeterministicBits} in the tests), so a reviewer can grep for every use.
 *
 * <p>Implementations are <b>not</b> thread-safe; each thread uses its own instance.
 */
abstract class RandomBits {

    /** Returns one uniform bit (0 or 1). */
    abstract int nextBit();

    /** Returns {@code k} uniform bits as a non-negative long, {@code 0 <= k <= 63}. */
    abstract long nextBits(int k);

    /** Uniform long in {@code [0, n)} by rejection sampling on exactly {@code bitLength(n-1)} bits. */
    final long uniform(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("uniform bound must be positive, got " + n);
        }
        if (n == 1) {
            return 0;
        }
        int k = 64 - Long.numberOfLeadingZeros(n - 1);
        while (true) {
            long v = nextBits(k);
            if (v < n) {
                return v;
            }
        }
    }

    /** Uniform BigInteger in {@code [0, n)} by rejection sampling on exactly {@code bitLength(n-1)} bits. */
    final BigInteger uniform(BigInteger n) {
        if (n.signum() <= 0) {
            throw new IllegalArgumentException("uniform bound must be positive, got " + n);
        }
        if (n.bitLength() <= 62) {
            return BigInteger.valueOf(uniform(n.longValueExact()));
        }
        int k = n.subtract(BigInteger.ONE).bitLength();
        while (true) {
            BigInteger v = BigInteger.ZERO;
            int left = k;
            while (left > 0) {
                int take = Math.min(left, 62);
                v = v.shiftLeft(take).or(BigInteger.valueOf(nextBits(take)));
                left -= take;
            }
            if (v.compareTo(n) < 0) {
                return v;
            }
        }
    }

    /**
     * Bits served from a 64-bit word refilled from {@link #refill()}. Subclasses supply whole random words;
     * this class hands them out bit by bit so that a sampler consumes only the bits it needs.
     */
    abstract static class Buffered extends RandomBits {
        private long word;
        private int left;

        /** Returns 64 fresh uniform bits. */
        abstract long refill();

        @Override
        final int nextBit() {
            if (left == 0) {
                word = refill();
                left = 64;
            }
            int b = (int) (word & 1L);
            word >>>= 1;
            left--;
            return b;
        }

        @Override
        final long nextBits(int k) {
            if (k < 0 || k > 63) {
                throw new IllegalArgumentException("k must be in [0, 63], got " + k);
            }
            if (k == 0) {
                return 0;
            }
            if (k <= left) {
                long v = word & ((1L << k) - 1);
                word >>>= k;
                left -= k;
                return v;
            }
            // take what is left, then the rest from a fresh word
            int have = left;
            long low = have == 0 ? 0 : word & ((1L << have) - 1);
            word = refill();
            left = 64;
            int need = k - have;
            long high = word & ((1L << need) - 1);
            word >>>= need;
            left -= need;
            return low | (high << have);
        }
    }
}
