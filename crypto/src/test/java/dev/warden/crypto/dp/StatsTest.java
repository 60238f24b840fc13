package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void chiSquareTail_matchesTableValues() {
        // Critical values from standard χ² tables (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
        assertEquals(0.05, Stats.chiSquareUpperTail(3.841, 1), 1e-4);
        assertEquals(0.05, Stats.chiSquareUpperTail(18.307, 10), 1e-4);
        assertEquals(0.001, Stats.chiSquareUpperTail(29.588, 10), 1e-5);
        assertEquals(0.01, Stats.chiSquareUpperTail(135.807, 100), 1e-4);
    }

    @Test
    void majority_needsThreePasses() {
        int[] calls = {0};
        boolean r = Stats.majorityOf5(() -> calls[0]++ % 2 == 0); // pass, fail, pass, fail, pass
        assertEquals(true, r);
        assertEquals(5, calls[0]);
        assertEquals(false, Stats.majorityOf5(() -> false));
    }
}
