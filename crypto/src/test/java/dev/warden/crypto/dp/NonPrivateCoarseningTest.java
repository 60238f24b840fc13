package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class NonPrivateCoarseningTest {
    @Test
    void topK_keepsLargest() {
        assertArrayEquals(new double[] {0, 0.5, 0, 0.3}, NonPrivateCoarsening.topK(new double[] {0.1, 0.5, 0.1, 0.3}, 2));
        assertArrayEquals(new int[] {1, 3}, NonPrivateCoarsening.topKIndices(new double[] {0.1, 0.5, 0.1, 0.3}, 2));
    }

    @Test
    void round_roundsToDecimals() {
        assertArrayEquals(new double[] {0.12, 0.99}, NonPrivateCoarsening.round(new double[] {0.123456, 0.98765}, 2), 0.0);
    }
}
