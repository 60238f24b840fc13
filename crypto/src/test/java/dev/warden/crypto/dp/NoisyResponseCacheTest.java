package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoisyResponseCacheTest {
    @TempDir
    Path dir;

    private static byte[] digest(int b) {
        byte[] d = new byte[32];
        d[0] = (byte) b;
        return d;
    }

    /** The full flow: a repeated identical request gets the same noisy answer and costs nothing. */
    @Test
    void repeatedRequest_getsSameNoisyAnswer_atNoCost() throws Exception {
        NoisyResponseCache<double[]> cache = new NoisyResponseCache<>(100);
        NumericMechanism mech = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(3, 0.01));
        try (NoisePool pool = mech.startPool(1024);
                JournalPrivacyLedger ledger = JournalPrivacyLedger.open(dir.resolve("j"),
                        LedgerFixtures.only("m", LedgerFixtures.caps(1_000_000, 1_000_000)))) {
            double[] first = null;
            for (int i = 0; i < 5; i++) {
                var cached = cache.get("t", "m", digest(1));
                double[] answer;
                if (cached.isPresent()) {
                    answer = cached.get();
                } else {
                    DebitReceipt r = ledger.debit("req" + i, "t", "m", mech.cost());
                    answer = mech.apply(new double[] {0.7, 0.2, 0.1}, pool).values();
                    r.markReleased();
                    answer = cache.putIfAbsent("t", "m", digest(1), answer);
                }
                if (first == null) {
                    first = answer;
                }
                assertArrayEquals(first, answer, 0.0);
            }
            assertEquals(mech.cost().micros(), ledger.status("t", "m").tenantSpentMicros());
        }
    }

    @Test
    void otherTenantModelOrDigest_missesTheCache() {
        NoisyResponseCache<String> c = new NoisyResponseCache<>(10);
        c.putIfAbsent("t", "m", digest(1), "x");
        assertTrue(c.get("t", "m", digest(1)).isPresent());
        assertTrue(c.get("u", "m", digest(1)).isEmpty());
        assertTrue(c.get("t", "n", digest(1)).isEmpty());
        assertTrue(c.get("t", "m", digest(2)).isEmpty());
        assertSame("x", c.putIfAbsent("t", "m", digest(1), "y"), "the first released answer stays");
    }

    @Test
    void boundedLru_evictsOldest() {
        NoisyResponseCache<Integer> c = new NoisyResponseCache<>(2);
        c.putIfAbsent("t", "m", digest(1), 1);
        c.putIfAbsent("t", "m", digest(2), 2);
        c.get("t", "m", digest(1));
        c.putIfAbsent("t", "m", digest(3), 3);
        assertEquals(2, c.size());
        assertTrue(c.get("t", "m", digest(2)).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> c.get("t", "m", new byte[4]));
    }
}
