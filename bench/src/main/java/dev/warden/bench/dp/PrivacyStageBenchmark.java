package dev.warden.bench.dp;

import dev.warden.crypto.dp.DebitReceipt;
import dev.warden.crypto.dp.IntegerNoiseSampler;
import dev.warden.crypto.dp.JournalPrivacyLedger;
import dev.warden.crypto.dp.ModelBudgetPolicy;
import dev.warden.crypto.dp.NoisePool;
import dev.warden.crypto.dp.NoisyOutput;
import dev.warden.crypto.dp.NumericMechanism;
import dev.warden.crypto.dp.NumericMechanismParams;
import dev.warden.crypto.dp.PrivacyBudget;
import dev.warden.crypto.dp.PrivacyCost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request-path pieces of the privacy stage, as sample-time distributions (read the p0.99 line):
 * <ul>
 *   <li>{@code poolTake10}: take 10 noise values from a {@link NoisePool} (filler drawing real discrete Gaussian
 *       noise; the taker sleeps 20 µs between requests like a server at ~50k requests/s, so the pool never runs
 *       dry and the figure is the request-path cost only).</li>
 *   <li>{@code applyProbabilityVector10}: pool take + grid snapping + noise + clamp/renormalise of a 10-class
 *       probability vector.</li>
 *   <li>{@code journalReserve}: the request-path part of an embedded-ledger debit (caps checked, budget reserved,
 *       record queued); {@code awaitDurable} then waits for the group-commit fsync while the model runs.</li>
 *   <li>{@code journalReserveViaWorkerHop}: the same, submitted to a worker pool and awaited (what a hop off the
 *       event loop would cost the stage; the stage calls the embedded ledger's reserve on the event loop).</li>
 *   <li>{@code journalDebit}: one embedded-ledger debit including its fsync (group commit), 4 threads.</li>
 * </ul>
 * The journal lives in {@code java.io.tmpdir}: the figure depends on that disk's fsync latency.
 *
 * <p>Run: {@code bench/dp.sh} or {@code java -jar bench/target/benchmarks.jar PrivacyStageBenchmark -f1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class PrivacyStageBenchmark {

    private NumericMechanism mechanism;
    private NoisePool pool;
    private JournalPrivacyLedger ledger;
    private Path dir;
    private final AtomicLong ids = new AtomicLong();
    private final double[] probs = {0.55, 0.2, 0.1, 0.05, 0.04, 0.03, 0.01, 0.01, 0.005, 0.005};
    private final PrivacyCost cost = PrivacyCost.ofMicros(1);
    /** Like the gateway's ledger pool: a few parked worker threads. */
    private final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newFixedThreadPool(4);

    @Setup
    public void setUp() throws IOException {
        mechanism = NumericMechanism.create(NumericMechanismParams.probabilityVectorGaussian(10, 0.01));
        IntegerNoiseSampler s = mechanism.noiseSampler();
        pool = NoisePool.start(s, NoisePool.DEFAULT_CAPACITY);
        dir = Files.createTempDirectory("warden-dp-bench");
        PrivacyBudget huge = PrivacyBudget.ofRhoCap(1e9, 1e-6);
        ledger = JournalPrivacyLedger.open(dir.resolve("ledger.journal"), m -> ModelBudgetPolicy.of(huge, huge));
    }

    @TearDown
    public void tearDown() throws IOException {
        worker.shutdown();
        pool.close();
        ledger.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** Spaces requests 20 µs apart, outside the measured time, so the pool filler keeps up (~50k req/s). */
    @State(Scope.Thread)
    public static class Pacer {
        @Setup(Level.Invocation)
        public void pace() {
            long until = System.nanoTime() + 20_000;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
        }
    }

    @Benchmark
    @Threads(1)
    public long[] poolTake10(Pacer pacer) {
        long[] out = new long[10];
        pool.take(out);
        return out;
    }

    @Benchmark
    @Threads(1)
    public NoisyOutput applyProbabilityVector10(Pacer pacer) {
        return mechanism.apply(probs, pool);
    }

    /** The request-path part of a debit: cap check + reservation; the fsync then overlaps the model call. */
    @Benchmark
    @Threads(1)
    public DebitReceipt journalReserve(Pacer pacer) throws Exception {
        return ledger.reserve("q" + ids.incrementAndGet(), "tenant", "model", cost);
    }

    /**
     * The same reservation handed to a worker thread and awaited, as the stage would do if it did not call
     * {@code reserve} on the event loop: the difference to {@link #journalReserve} is the cost of the hop.
     */
    @Benchmark
    @Threads(1)
    public DebitReceipt journalReserveViaWorkerHop(Pacer pacer) throws Exception {
        String id = "w" + ids.incrementAndGet();
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return ledger.reserve(id, "tenant", "model", cost);
            } catch (dev.warden.crypto.dp.PrivacyLedgerException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, worker).get();
    }

    @Benchmark
    @Threads(4)
    public DebitReceipt journalDebit() throws Exception {
        return ledger.debit("r" + ids.incrementAndGet(), "tenant", "model", cost);
    }
}
