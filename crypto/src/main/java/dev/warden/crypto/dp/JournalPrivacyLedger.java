package dev.warden.crypto.dp;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * The embedded ledger: balances in memory, every change appended to a journal file and fsync'd before the call
 * returns; the journal is replayed on start.
 *
 * <p><b>Group commit.</b> A reservation checks the caps and reserves under a short lock and appends its record to a
 * pending buffer; no I/O happens on the caller's thread, so an event loop may call {@link #reserve}. The ledger's
 * own flusher thread ({@code warden-ledger-flush}) is woken, takes everything pending at that moment and writes
 * and forces it with one {@code write} + {@code force}; records that arrive during that fsync go into the next
 * batch. {@link #whenDurable} completes (on the flusher thread) once the batch holding the record is forced;
 * {@link #awaitDurable} and {@link #debit} block for it. Throughput therefore grows with concurrency while every
 * acknowledged debit is on disk, and the fsync overlaps whatever the caller does meanwhile (the model call).
 * There is no linger timer: an idle flusher writes a lone record as soon as it is woken; batches form only from
 * records that arrive while a write + force is running. An event loop wakes the flusher after it has sent the model
 * call ({@link #reserve(String, String, String, PrivacyCost, java.util.concurrent.Executor)}).
 *
 * <p><b>Record format.</b> {@code [int length][payload][int CRC-32C of payload]}, payload =
 * {@code type('D'|'R'), requestId, tenant, model (modified UTF-8), long period, long micros}. On replay the
 * first incomplete or corrupt record ends the journal; the file is truncated there. Only records that were never
 * acknowledged can be lost that way: an acknowledged record was forced before any later record was written.
 *
 * <p><b>Failure.</b> If a write or force fails, the ledger turns unavailable (fail closed) and keeps every
 * reservation: balances can be over-counted, never under-counted. Reopen to recover.
 *
 * <p><b>Compaction.</b> The journal grows by ~60 bytes per debit; {@link #compact(java.time.Duration)} rewrites it
 * as balances plus the request ids of the idempotency window (crash-safe: temp file, force, atomic rename).
 */
public final class JournalPrivacyLedger implements PrivacyLedger {

    private static final byte DEBIT = 'D';
    private static final byte REFUND = 'R';
    /** Compaction: a counter balance (adds to the counters, remembers no request id). */
    private static final byte COUNTER = 'C';
    /** Compaction: a remembered request id (changes no counter). */
    private static final byte REQUEST = 'I';
    /** Upper bound for one record: three ids of at most 512 chars (≤ 3 bytes each in modified UTF-8) + fixed fields. */
    private static final int MAX_RECORD = 3 * (2 + 3 * LedgerArgs.MAX_ID_LENGTH) + 1 + 16;

    private record Entry(String tenant, String model, long period, long micros, long atMillis) {
    }

    /** A caller of {@link #whenDurable} waiting for record {@code seq}. */
    private record Waiter(long seq, CompletableFuture<Void> done) {
    }

    private static final CompletionStage<Void> DURABLE = CompletableFuture.completedStage(null);

    private final Path path;
    private FileChannel channel; // replaced only by compact(), under flushLock and `this`
    private final Function<String, ModelBudgetPolicy> policies;
    private final Clock clock;
    private final long droppedTailBytes;

    // state, guarded by `this`
    private final Map<String, Long> tenantSpent = new HashMap<>();
    private final Map<String, Long> globalSpent = new HashMap<>();
    private final Map<String, Entry> requests = new HashMap<>();
    private ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private long appendedSeq;
    private boolean closed;
    private IOException failure;
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.seq(), b.seq()));

    // durability: the flusher writes under flushLock (compaction and close take it too)
    private final ReentrantLock flushLock = new ReentrantLock();
    private volatile long durableSeq;
    private final Thread flusher;
    private final Runnable wakeFlusher;
    /** fsyncs issued by the flusher (tests: group commit covers a whole pending batch with one). */
    private volatile long forces;
    /** Test hook: run by the flusher before it takes a batch (lets a test pile records up deterministically). */
    volatile Runnable beforeBatch;

    private JournalPrivacyLedger(Path path, Function<String, ModelBudgetPolicy> policies, Clock clock)
            throws IOException {
        this.path = path;
        this.policies = policies;
        this.clock = clock;
        Path parent = path.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean created = !Files.exists(path);
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long good;
        try {
            good = replay();
            this.droppedTailBytes = channel.size() - good;
            if (droppedTailBytes > 0) {
                channel.truncate(good);
            }
            channel.position(good);
            channel.force(true);
            if (created) {
                forceDirectory(parent);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.flusher = new Thread(this::flushLoop, "warden-ledger-flush");
        this.wakeFlusher = () -> LockSupport.unpark(flusher);
        flusher.setDaemon(true);
        flusher.start();
    }

    /**
     * Opens (creating if needed) the journal at {@code path} and replays it.
     *
     * @param policies the budget policy of each model (null for a model without budget)
     * @throws IOException if the journal cannot be read or created
     */
    public static JournalPrivacyLedger open(Path path, Function<String, ModelBudgetPolicy> policies, Clock clock)
            throws IOException {
        return new JournalPrivacyLedger(Objects.requireNonNull(path, "path"), Objects.requireNonNull(policies,
                "policies"), Objects.requireNonNull(clock, "clock"));
    }

    /** {@link #open(Path, Function, Clock)} with the system UTC clock. */
    public static JournalPrivacyLedger open(Path path, Function<String, ModelBudgetPolicy> policies)
            throws IOException {
        return open(path, policies, Clock.systemUTC());
    }

    /** Bytes of a torn or corrupt tail dropped when the journal was opened (0 after a clean shutdown). */
    public long droppedTailBytes() {
        return droppedTailBytes;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open directories; the file itself is forced
        }
    }

    private long replay() throws IOException {
        long good = 0;
        channel.position(0);
        InputStream raw = Channels.newInputStream(channel);
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
        CRC32C crc = new CRC32C();
        while (true) {
            int len;
            try {
                len = in.readInt();
            } catch (EOFException e) {
                return good;
            }
            if (len <= 0 || len > MAX_RECORD) {
                return good;
            }
            byte[] payload = new byte[len];
            int crcValue;
            try {
                in.readFully(payload);
                crcValue = in.readInt();
            } catch (EOFException e) {
                return good;
            }
            crc.reset();
            crc.update(payload);
            if ((int) crc.getValue() != crcValue) {
                return good;
            }
            apply(payload);
            good += 4 + len + 4;
        }
    }

    private void apply(byte[] payload) throws IOException {
        DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        byte type = p.readByte();
        String requestId = p.readUTF();
        String tenant = p.readUTF();
        String model = p.readUTF();
        long period = p.readLong();
        long micros = p.readLong();
        if (type == DEBIT) {
            add(tenant, model, period, micros);
            requests.put(requestId, new Entry(tenant, model, period, micros, clock.millis()));
        } else if (type == COUNTER) {
            add(tenant, model, period, micros);
        } else if (type == REQUEST) {
            requests.put(requestId, new Entry(tenant, model, period, micros, clock.millis()));
        } else if (type == REFUND) {
            add(tenant, model, period, -micros);
            requests.remove(requestId);
        } else {
            throw new IOException("unknown journal record type " + type + " in " + path);
        }
    }

    private static String tenantKey(String tenant, String model, long period) {
        return period + "\u0000" + model + "\u0000" + tenant;
    }

    private static String globalKey(String model, long period) {
        return period + "\u0000" + model;
    }

    private void add(String tenant, String model, long period, long micros) {
        tenantSpent.merge(tenantKey(tenant, model, period), micros, Long::sum);
        globalSpent.merge(globalKey(model, period), micros, Long::sum);
    }

    private static byte[] record(byte type, String requestId, Entry e) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(96);
            DataOutputStream o = new DataOutputStream(b);
            o.writeByte(type);
            o.writeUTF(requestId);
            o.writeUTF(e.tenant());
            o.writeUTF(e.model());
            o.writeLong(e.period());
            o.writeLong(e.micros());
            byte[] payload = b.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(payload);
            ByteBuffer out = ByteBuffer.allocate(4 + payload.length + 4);
            out.putInt(payload.length).put(payload).putInt((int) crc.getValue());
            return out.array();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private void checkOpen() throws PrivacyLedgerUnavailableException {
        if (closed) {
            throw new PrivacyLedgerUnavailableException("privacy ledger " + path + " is closed", null);
        }
        if (failure != null) {
            throw new PrivacyLedgerUnavailableException("privacy ledger journal " + path + " failed: " + failure,
                    failure);
        }
    }

    private BudgetStatus statusLocked(String tenant, String model, ModelBudgetPolicy policy, long period) {
        return new BudgetStatus(tenant, model, policy, tenantSpent.getOrDefault(tenantKey(tenant, model, period), 0L),
                globalSpent.getOrDefault(globalKey(model, period), 0L));
    }

    @Override
    public DebitReceipt debit(String requestId, String tenant, String model, PrivacyCost cost)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        DebitReceipt r = reserve(requestId, tenant, model, cost);
        awaitDurable(r);
        return r;
    }

    @Override
    public void awaitDurable(DebitReceipt receipt) throws PrivacyLedgerUnavailableException {
        awaitDurable(receipt.journalSeq());
    }

    /**
     * Completes when the record of {@code receipt} has been forced to disk, on the flusher thread (at once if it
     * already is); fails with {@link PrivacyLedgerUnavailableException} if the journal cannot be written or the
     * ledger was closed first. Never blocks.
     */
    @Override
    public CompletionStage<Void> whenDurable(DebitReceipt receipt) {
        return whenDurable(receipt.journalSeq());
    }

    /** No: {@link #reserve} takes an in-memory lock and queues the record; the flusher thread does the I/O. */
    @Override
    public boolean reserveMayBlock() {
        return false;
    }

    @Override
    public DebitReceipt reserve(String requestId, String tenant, String model, PrivacyCost cost)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        return reserve(requestId, tenant, model, cost, Runnable::run);
    }

    /** {@inheritDoc} Here {@code wake} runs the unpark of the flusher thread. */
    @Override
    public DebitReceipt reserve(String requestId, String tenant, String model, PrivacyCost cost,
            java.util.concurrent.Executor wake)
            throws PrivacyBudgetExhaustedException, PrivacyLedgerUnavailableException {
        Objects.requireNonNull(wake, "wake");
        ModelBudgetPolicy policy = LedgerArgs.debit(requestId, tenant, model, cost, policies);
        long period = policy.periodAt(clock.millis());
        long seq;
        DebitReceipt receipt;
        synchronized (this) {
            checkOpen();
            Entry prev = requests.get(requestId);
            if (prev != null) {
                if (!prev.tenant().equals(tenant) || !prev.model().equals(model)) {
                    throw new IllegalArgumentException("request id '" + requestId
                            + "' was already used for another tenant or model");
                }
                seq = appendedSeq; // the original record may still be in flight: wait for it too
                receipt = new DebitReceipt(requestId, prev.period(), PrivacyCost.ofMicros(prev.micros()),
                        statusLocked(tenant, model, policy, prev.period()), true, seq);
            } else {
                BudgetStatus before = statusLocked(tenant, model, policy, period);
                long c = cost.micros();
                if (before.tenantSpentMicros() + c > policy.perTenant().capMicros()) {
                    throw new PrivacyBudgetExhaustedException(PrivacyBudgetExhaustedException.Cap.TENANT, before);
                }
                if (before.globalSpentMicros() + c > policy.global().capMicros()) {
                    throw new PrivacyBudgetExhaustedException(PrivacyBudgetExhaustedException.Cap.GLOBAL, before);
                }
                Entry e = new Entry(tenant, model, period, c, clock.millis());
                add(tenant, model, period, c);
                requests.put(requestId, e);
                pending.writeBytes(record(DEBIT, requestId, e));
                seq = ++appendedSeq;
                receipt = new DebitReceipt(requestId, period, cost, statusLocked(tenant, model, policy, period), false,
                        seq);
            }
        }
        wake.execute(wakeFlusher);
        return receipt;
    }

    @Override
    public void refund(DebitReceipt receipt) throws PrivacyLedgerUnavailableException {
        Objects.requireNonNull(receipt, "receipt");
        if (receipt.released()) {
            throw new IllegalStateException("request " + receipt.requestId()
                    + " produced noisy output: its privacy cost cannot be refunded");
        }
        if (receipt.repeated()) {
            return; // a retry never refunds the original debit, whose output may have been released
        }
        long seq;
        synchronized (this) {
            checkOpen();
            Entry e = requests.get(receipt.requestId());
            if (e == null) {
                return; // already refunded
            }
            add(e.tenant(), e.model(), e.period(), -e.micros());
            requests.remove(receipt.requestId());
            pending.writeBytes(record(REFUND, receipt.requestId(), e));
            seq = ++appendedSeq;
        }
        LockSupport.unpark(flusher);
        awaitDurable(seq);
    }

    @Override
    public BudgetStatus status(String tenant, String model) throws PrivacyLedgerUnavailableException {
        ModelBudgetPolicy policy = LedgerArgs.policy(policies, model);
        long period = policy.periodAt(clock.millis());
        synchronized (this) {
            checkOpen();
            return statusLocked(tenant, model, policy, period);
        }
    }

    /** Blocks until record {@code seq} is on disk. */
    private void awaitDurable(long seq) throws PrivacyLedgerUnavailableException {
        if (durableSeq >= seq) {
            return;
        }
        try {
            whenDurable(seq).toCompletableFuture().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PrivacyLedgerUnavailableException u) {
                throw u;
            }
            throw new PrivacyLedgerUnavailableException("privacy ledger journal " + path + " failed: " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrivacyLedgerUnavailableException("interrupted while waiting for the privacy ledger journal", e);
        }
    }

    private CompletionStage<Void> whenDurable(long seq) {
        if (durableSeq >= seq) {
            return DURABLE;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (durableSeq >= seq) {
                return DURABLE;
            }
            if (closed || failure != null) {
                return CompletableFuture.failedStage(unavailable());
            }
            waiters.add(new Waiter(seq, done));
        }
        LockSupport.unpark(flusher);
        return done;
    }

    private PrivacyLedgerUnavailableException unavailable() {
        return failure != null
                ? new PrivacyLedgerUnavailableException("privacy ledger journal " + path + " failed: " + failure, failure)
                : new PrivacyLedgerUnavailableException("privacy ledger " + path + " is closed", null);
    }

    /**
     * The flusher thread: sleeps until records are pending, then writes and forces everything pending at that
     * moment in one batch and completes the waiters it covers. Exits when the ledger is closed or has failed.
     */
    private void flushLoop() {
        while (true) {
            boolean work;
            synchronized (this) {
                if (closed || failure != null) {
                    return;
                }
                work = appendedSeq > durableSeq;
            }
            if (!work) {
                LockSupport.park(this); // reserve() unparks; a permit given before this park makes it return at once
                continue;
            }
            Runnable hook = beforeBatch;
            if (hook != null) {
                hook.run();
            }
            flushLock.lock();
            try {
                flushPending();
            } finally {
                flushLock.unlock();
            }
        }
    }

    /** Writes and forces all pending records; completes or fails the waiters. Caller holds {@code flushLock}. */
    private void flushPending() {
        byte[] batch;
        long upTo;
        synchronized (this) {
            if (closed || failure != null || appendedSeq <= durableSeq) {
                return;
            }
            batch = pending.toByteArray();
            pending = new ByteArrayOutputStream(Math.max(256, batch.length));
            upTo = appendedSeq;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(batch);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
            forces++;
            durableSeq = upTo;
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        }
        settleWaiters();
    }

    /**
     * Completes the waiters whose record is durable; fails all of them once the ledger is closed or has failed.
     * Called without holding {@code this}: completing a future runs its dependants on this thread.
     */
    private void settleWaiters() {
        List<Waiter> done = new ArrayList<>();
        List<Waiter> failed = new ArrayList<>();
        PrivacyLedgerUnavailableException why;
        synchronized (this) {
            while (!waiters.isEmpty() && waiters.peek().seq() <= durableSeq) {
                done.add(waiters.poll());
            }
            why = closed || failure != null ? unavailable() : null;
            if (why != null) {
                failed.addAll(waiters);
                waiters.clear();
            }
        }
        done.forEach(w -> w.done().complete(null));
        failed.forEach(w -> w.done().completeExceptionally(why));
    }

    /** fsyncs issued by the flusher thread since open (tests). */
    long forces() {
        return forces;
    }

    /**
     * Rewrites the journal as one balance record per (tenant, model, period) plus the request ids debited within
     * {@code idempotencyWindow} (ids replayed from the journal count as debited when it was opened); older ids
     * are forgotten, so a retry after the window is charged again (over-counting, never under-counting).
     *
     * <p>Crash-safe: the new journal is written to a temporary file, forced, atomically renamed over the old one
     * and the directory forced; a crash at any point leaves either the complete old or the complete new journal.
     * Debits wait while compaction runs. Call it periodically (e.g. daily) from a background thread.
     *
     * @return the journal size in bytes after compaction
     * @throws PrivacyLedgerUnavailableException if it fails; the ledger is then unavailable (fail closed)
     */
    public long compact(java.time.Duration idempotencyWindow) throws PrivacyLedgerUnavailableException {
        Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
        flushLock.lock();
        try {
            synchronized (this) {
                checkOpen();
                long horizon = clock.millis() - idempotencyWindow.toMillis();
                requests.values().removeIf(e -> e.atMillis() < horizon);
                Path tmp = path.resolveSibling(path.getFileName() + ".compact");
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    for (Map.Entry<String, Long> c : tenantSpent.entrySet()) {
                        String[] k = c.getKey().split("\u0000", 3); // period, model, tenant
                        if (c.getValue() != 0) {
                            b.writeBytes(record(COUNTER, "", new Entry(k[2], k[1], Long.parseLong(k[0]),
                                    c.getValue(), 0)));
                        }
                    }
                    for (Map.Entry<String, Entry> r : requests.entrySet()) {
                        b.writeBytes(record(REQUEST, r.getKey(), r.getValue()));
                    }
                    ByteBuffer buf = ByteBuffer.wrap(b.toByteArray());
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                    out.force(true);
                }
                java.nio.file.Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                forceDirectory(path.toAbsolutePath().getParent());
                FileChannel old = channel;
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                channel.position(channel.size());
                old.close();
                pending = new ByteArrayOutputStream(); // their effects are in the balances just written
                durableSeq = appendedSeq;
                return channel.size();
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
            throw new PrivacyLedgerUnavailableException("privacy ledger journal " + path
                    + " could not be compacted: " + e, e);
        } finally {
            flushLock.unlock();
            settleWaiters();
        }
    }

    @Override
    public void close() {
        flushLock.lock();
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (failure == null && pending.size() > 0) {
                    try {
                        channel.write(ByteBuffer.wrap(pending.toByteArray()));
                        channel.force(false);
                        durableSeq = appendedSeq;
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                closed = true;
            }
            channel.close();
        } catch (IOException ignored) {
            // closing
        } finally {
            flushLock.unlock();
        }
        settleWaiters();
        LockSupport.unpark(flusher);
        try {
            flusher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JournalPrivacyLedger{" + path + "}";
    }
}
