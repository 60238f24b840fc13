package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class NoisePoolTest {

    @Test
    void pooledNoise_hasTheSamplersDistribution_acrossManyRefills() {
        DiscreteGaussianSampler g = DiscreteGaussianSampler.withSigma(5);
        try (NoisePool pool = NoisePool.start(g, 1000)) {
            assertTrue(Stats.majorityOf5(() -> {
                long[] s = new long[30_000]; // 30 refills of a 1000-slot pool
                for (int i = 0; i < s.length; i += 100) {
                    pool.take(s, i, 100);
                }
                return Stats.chiSquarePValue(s, x -> Math.exp(-x * x / 50.0), 70) >= Stats.ALPHA;
            }));
        }
    }

    @Test
    void concurrentTakers_allGetNoise() throws Exception {
        try (NoisePool pool = NoisePool.start(DiscreteGaussianSampler.withSigma(3), 512)) {
            Thread[] ts = new Thread[4];
            long[][] got = new long[4][5000];
            for (int t = 0; t < ts.length; t++) {
                int id = t;
                ts[t] = new Thread(() -> pool.take(got[id]));
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            for (long[] g : got) {
                long nonZero = java.util.Arrays.stream(g).filter(x -> x != 0).count();
                assertTrue(nonZero > 4000, "pool handed out zeros: " + nonZero); // P(0) ≈ 0.13 for σ=3
            }
        }
    }

    @Test
    void closedPool_failsClosed() {
        NoisePool pool = NoisePool.start(DiscreteGaussianSampler.withSigma(1), 4);
        pool.take(); // the pool works...
        pool.close();
        // ...and after close it refuses even values it had already drawn
        assertThrows(NoiseUnavailableException.class, pool::take);
        long[] big = new long[100];
        assertThrows(NoiseUnavailableException.class, () -> pool.take(big));
    }

    @Test
    void failingSampler_failsClosed() {
        IntegerNoiseSampler broken = () -> {
            throw new IllegalStateException("entropy source gone");
        };
        try (NoisePool pool = NoisePool.start(broken, 8, Duration.ofMillis(200))) {
            NoiseUnavailableException e = assertThrows(NoiseUnavailableException.class, pool::take);
            assertTrue(e.getMessage().contains("entropy source gone") || e.getMessage().contains("empty"), e.getMessage());
        }
    }

    @Test
    void slowSampler_timesOutInsteadOfReleasingZeros() {
        IntegerNoiseSampler slow = () -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1;
        };
        try (NoisePool pool = NoisePool.start(slow, 8, Duration.ofMillis(100))) {
            assertThrows(NoiseUnavailableException.class, pool::take);
        }
    }
}
