package dev.warden.crypto.dp;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Noise drawn ahead of time by a background thread, so that a request takes values in time independent of
 * their magnitude.
 *
 * <p><b>Why.</b> Exact samplers are rejection samplers: the time a sample takes depends on its value. If the
 * request path sampled inline, its latency would leak information about the noise and so about the answer
 * (Jin et al., "Are We There Yet? Timing and Floating-Point Attacks on Differential Privacy Systems", IEEE S&amp;P
 * 2022). Here a daemon thread fills a ring buffer; {@link #take(long[])} copies values out under a lock, a
 * constant amount of work per value. What remains observable is only whether the pool had to be waited for,
 * which depends on load, not on any noise value.
 *
 * <p><b>Cost.</b> One thread per pool, asleep while the pool is full; memory 8 bytes per slot.
 *
 * <h2>Security guarantees</h2>
 * Every value is used at most once; values are handed out in the order drawn. If the pool is closed or runs dry
 * for longer than its wait limit, {@link #take} throws {@link NoiseUnavailableException} — it never returns zero
 * noise. Thread-safe.
 */
public final class NoisePool implements AutoCloseable {

    /** Default number of pre-drawn values: a few thousand requests of a 10-class vector. */
    public static final int DEFAULT_CAPACITY = 1 << 16;

    /** How long a take waits for the filler before failing closed. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(2);

    /** Values drawn per filler step outside the lock: amortises locking, keeps the lock hold short. */
    private static final int FILL_BATCH = 256;

    private final IntegerNoiseSampler sampler;
    private final long[] ring;
    private final long maxWaitNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Thread filler;
    /** The filler, once the pool is full, sleeps until this many slots are free: few wake-ups, little contention. */
    private final int refillThreshold;
    private int head; // next value to take
    private int count; // values available
    private volatile boolean closed;
    private volatile Throwable fillerFailure;

    private NoisePool(IntegerNoiseSampler sampler, int capacity, Duration maxWait) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        if (capacity < 1) {
            throw new IllegalArgumentException("noise pool capacity must be >= 1, got " + capacity);
        }
        this.ring = new long[capacity];
        this.maxWaitNanos = Objects.requireNonNull(maxWait, "maxWait").toNanos();
        this.refillThreshold = Math.max(1, capacity / 4);
        this.filler = new Thread(this::fill, "warden-dp-noise-pool");
        this.filler.setDaemon(true);
    }

    /** Starts a pool of {@code capacity} values drawn from {@code sampler} by a new daemon thread. */
    public static NoisePool start(IntegerNoiseSampler sampler, int capacity, Duration maxWait) {
        NoisePool p = new NoisePool(sampler, capacity, maxWait);
        p.filler.start();
        return p;
    }

    /** {@link #start(IntegerNoiseSampler, int, Duration)} with {@link #DEFAULT_MAX_WAIT}. */
    public static NoisePool start(IntegerNoiseSampler sampler, int capacity) {
        return start(sampler, capacity, DEFAULT_MAX_WAIT);
    }

    /** Fills {@code out} with fresh noise values, waiting for the filler if needed. */
    public void take(long[] out) {
        take(out, 0, out.length);
    }

    /** Fills {@code out[offset .. offset+length)} with fresh noise values. */
    public void take(long[] out, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, out.length);
        lock.lock();
        try {
            if (closed) {
                throw new NoiseUnavailableException("noise pool is closed" + failureSuffix());
            }
            int done = 0;
            while (done < length) {
                long waitNanos = maxWaitNanos;
                while (count == 0) {
                    if (closed) {
                        throw new NoiseUnavailableException("noise pool is closed" + failureSuffix());
                    }
                    if (waitNanos <= 0) {
                        throw new NoiseUnavailableException("noise pool empty for longer than "
                                + Duration.ofNanos(maxWaitNanos) + failureSuffix());
                    }
                    try {
                        waitNanos = notEmpty.awaitNanos(waitNanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new NoiseUnavailableException("interrupted while waiting for noise");
                    }
                }
                int n = Math.min(count, length - done);
                int first = Math.min(n, ring.length - head);
                System.arraycopy(ring, head, out, offset + done, first);
                System.arraycopy(ring, 0, out, offset + done + first, n - first);
                java.util.Arrays.fill(ring, head, head + first, 0L); // a used value never lingers
                java.util.Arrays.fill(ring, 0, n - first, 0L);
                head = (head + n) % ring.length;
                count -= n;
                done += n;
                if (ring.length - count >= refillThreshold) {
                    notFull.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** One fresh noise value. */
    public long take() {
        long[] one = new long[1];
        take(one);
        return one[0];
    }

    /** Values currently available (for metrics). */
    public int available() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    public int capacity() {
        return ring.length;
    }

    /** Stops the filler; later takes fail with {@link NoiseUnavailableException}. */
    @Override
    public void close() {
        closed = true;
        filler.interrupt();
        lock.lock();
        try {
            java.util.Arrays.fill(ring, 0L);
            count = 0;
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private String failureSuffix() {
        Throwable f = fillerFailure;
        return f == null ? "" : " (filler failed: " + f + ")";
    }

    private void fill() {
        long[] batch = new long[Math.min(FILL_BATCH, ring.length)];
        try {
            while (!closed) {
                sampler.sample(batch);
                lock.lock();
                try {
                    int put = 0;
                    while (put < batch.length) {
                        if (count == ring.length) {
                            while (ring.length - count < refillThreshold && !closed) {
                                notFull.await();
                            }
                        }
                        if (closed) {
                            return;
                        }
                        int n = Math.min(batch.length - put, ring.length - count);
                        for (int i = 0; i < n; i++) {
                            ring[(head + count + i) % ring.length] = batch[put + i];
                        }
                        count += n;
                        put += n;
                        notEmpty.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (RuntimeException | Error e) {
            fillerFailure = e;
            closed = true;
            lock.lock();
            try {
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        } finally {
            java.util.Arrays.fill(batch, 0L);
        }
    }

    @Override
    public String toString() {
        return "NoisePool{capacity=" + ring.length + ", sampler=" + sampler + ", closed=" + closed + "}";
    }
}
