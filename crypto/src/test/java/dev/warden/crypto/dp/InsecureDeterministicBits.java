package dev.warden.crypto.dp;

import java.util.SplittableRandom;

/**
 * TEST ONLY. Deterministic, seeded bits (SplittableRandom): reproducible and completely insecure. Lives in the
 * test tree so production code cannot reach it.
 */
final class InsecureDeterministicBits extends RandomBits.Buffered {
    private final SplittableRandom rnd;

    InsecureDeterministicBits(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    @Override
    long refill() {
        return rnd.nextLong();
    }
}
