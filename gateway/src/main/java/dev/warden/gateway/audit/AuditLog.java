package dev.warden.gateway.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The gateway's tamper-evident audit trail: an append-only JSON-lines file, one line per request,
 * hash-chained and signed with Ed25519 at checkpoints.
 *
 * <h2>Design</h2>
 * Requests finish on event-loop threads, which must never wait for a disk. {@link #append} only
 * puts the immutable {@link AuditEvent} on a bounded queue (no encoding, no hashing, no I/O); one
 * writer thread per log drains the queue in batches, encodes each event as one JSON line, chains it
 * ({@code prev} = SHA-256 of the previous line's bytes, so any edit, removal, insertion or reordering
 * breaks the chain), signs a checkpoint line every {@code checkpointEvery} records (so the chain
 * cannot be recomputed by someone without the private key), writes the batch with one
 * {@code write} call and, depending on the {@link FsyncPolicy}, forces it to the device. The format
 * is described in {@code package-info.java}; {@link AuditVerifier} checks it.
 *
 * <h2>Batching by lingering</h2>
 * After writing a batch the writer sleeps for {@link Options.Builder#linger} (default
 * {@value Options#DEFAULT_LINGER_MILLIS} ms) before it drains again, instead of waiting on the queue.
 * Events appended meanwhile are queued without waking it, so under load {@code append} costs no
 * system call and the event loop is not preempted by the writer once per request (a futex wake and
 * two context switches each, which cost the gateway more CPU than all its JSON work together). The
 * writer blocks on the queue only when a linger brought nothing new, so an idle gateway does not
 * poll. Lines reach the OS at most one linger later; {@link #close()} still writes everything.
 *
 * <h2>When the queue is full</h2>
 * A full queue means the disk cannot keep up with the request rate. Blocking the event loop would
 * stall every connection on it, so {@code append} drops the event instead and returns
 * {@code false} — but never silently: {@link #droppedCount()} counts it (bind it to a metric and
 * alert on it), and the writer records a {@code {"type":"loss","dropped":n}} line in the chain itself
 * at the point of loss, so the gap is visible in the signed file and to the verifier. A caller that
 * must fail closed (answer 503 rather than serve an unaudited request) can act on the
 * {@code false}. The default queue (65,536 events, about 30 MB at the worst) absorbs seconds of a
 * stalled disk at high request rates.
 *
 * <h2>Crash behaviour</h2>
 * {@link #close()} drains the queue and writes a final checkpoint, so cutting lines off the end of a
 * cleanly closed file is detectable ({@code audit verify --require-final-checkpoint}). After a crash
 * the file may end in unsigned records (the verifier warns); reopening continues the chain and the
 * next checkpoint signs them. A torn last line (no newline: the process died inside a write) is
 * refused at {@link #open} rather than patched over: verify and repair the file, or start a new one.
 *
 * <h2>Threading</h2>
 * {@link #append} and the getters may be called from any thread, concurrently. {@link #close()}
 * may be called from any thread, once or more. One writer thread (a daemon named
 * {@code warden-audit-<replicaId>}) owns the file; an OS file lock keeps a second process (or a
 * second {@code AuditLog} in this JVM) from interleaving its own chain into the same file.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Any change to a line up to the last checkpoint — edit, removal, insertion, reordering, or a
 *       rewrite of the whole chain without the private key — fails {@link AuditVerifier}.
 *   <li>Lines after the last checkpoint are chained but not yet signed: someone with write access can
 *       cut or rewrite that tail undetectably, except that a cleanly closed file ends with a
 *       {@code final} checkpoint whose absence the verifier can be told to treat as a failure.
 *   <li>Cutting a file exactly after a periodic checkpoint is detected only with
 *       {@code --require-final-checkpoint} on a closed file; an attacker who holds the signing key
 *       can forge everything. Keep the key readable only by the gateway; ship lines off the host for
 *       stronger guarantees.
 *   <li>Dropped events (queue full) are counted and recorded in the chain, never lost silently.
 * </ul>
 */
public final class AuditLog implements AutoCloseable {

  /** When the writer forces written lines to the storage device ({@code fsync}). */
  public enum FsyncPolicy {
    /** Never; the OS decides. Lines are still handed to the OS after every batch. */
    NONE,
    /** After every batch that contains a checkpoint, and at close. The default. */
    CHECKPOINT,
    /** After every batch: the strongest and slowest. */
    EVERY_BATCH
  }

  /** Settings of one log. Immutable; build with {@link #builder(String)}. */
  public static final class Options {
    /** Default records between signed checkpoints. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 1000;
    /** Default queue size: seconds of a stalled disk at tens of thousands of requests per second. */
    public static final int DEFAULT_QUEUE_CAPACITY = 65_536;
    /** Lines encoded per write call; bounds the batch buffer (~1 MB) and the time between writes. */
    public static final int DEFAULT_MAX_BATCH = 1024;
    /** Default linger: at 20k requests/s about 100 lines per write and 200 writer wake-ups per second. */
    public static final long DEFAULT_LINGER_MILLIS = 5;

    final String replicaId;
    final int checkpointEvery;
    final FsyncPolicy fsync;
    final int queueCapacity;
    final int maxBatch;
    final Duration checkpointInterval;
    final Duration linger;
    final Clock clock;

    private Options(Builder b) {
      this.replicaId = AuditFormat.checkReplicaId(b.replicaId);
      if (b.checkpointEvery < 1) {
        throw new IllegalArgumentException("checkpointEvery must be >= 1, got " + b.checkpointEvery);
      }
      if (b.queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be >= 1, got " + b.queueCapacity);
      }
      if (b.maxBatch < 1) {
        throw new IllegalArgumentException("maxBatch must be >= 1, got " + b.maxBatch);
      }
      if (b.checkpointInterval.isNegative()) {
        throw new IllegalArgumentException("checkpointInterval must not be negative");
      }
      if (b.linger.isNegative() || b.linger.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("linger must be between 0 and 1 s, got " + b.linger);
      }
      this.linger = b.linger;
      this.checkpointEvery = b.checkpointEvery;
      this.fsync = Objects.requireNonNull(b.fsync, "fsync");
      this.queueCapacity = b.queueCapacity;
      this.maxBatch = b.maxBatch;
      this.checkpointInterval = b.checkpointInterval;
      this.clock = Objects.requireNonNull(b.clock, "clock");
    }

    /** Options for the chain of one replica (ids: letters, digits and {@code -_.:}). */
    public static Builder builder(String replicaId) {
      return new Builder(replicaId);
    }

    /** Collects options; not thread-safe. */
    public static final class Builder {
      private final String replicaId;
      private int checkpointEvery = DEFAULT_CHECKPOINT_EVERY;
      private FsyncPolicy fsync = FsyncPolicy.CHECKPOINT;
      private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
      private int maxBatch = DEFAULT_MAX_BATCH;
      private Duration checkpointInterval = Duration.ZERO;
      private Duration linger = Duration.ofMillis(DEFAULT_LINGER_MILLIS);
      private Clock clock = Clock.systemUTC();

      private Builder(String replicaId) {
        this.replicaId = replicaId;
      }

      public Builder checkpointEvery(int n) { this.checkpointEvery = n; return this; }
      public Builder fsync(FsyncPolicy p) { this.fsync = p; return this; }
      public Builder queueCapacity(int n) { this.queueCapacity = n; return this; }
      public Builder maxBatch(int n) { this.maxBatch = n; return this; }

      /**
       * Also checkpoint when unsigned lines are older than this, so a quiet gateway's records do
       * not stay unsigned for long. {@link Duration#ZERO} (the default) turns it off.
       */
      public Builder checkpointInterval(Duration d) { this.checkpointInterval = d; return this; }

      /**
       * How long the writer sleeps after a batch before draining the queue again (0 to 1 s), so that
       * appends under load do not wake it one by one. {@link Duration#ZERO}: write each event as soon
       * as the writer can (one wake-up per event when requests are spaced out).
       */
      public Builder linger(Duration d) { this.linger = Objects.requireNonNull(d, "linger"); return this; }

      /** Time source for checkpoint and loss lines (events carry their own time). */
      public Builder clock(Clock c) { this.clock = c; return this; }

      public Options build() { return new Options(this); }
    }
  }

  private static final Object POISON = new Object();
  private static final JsonFactory JSON = new JsonFactory()
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private final Options options;
  private final String keyId;
  private final FileChannel channel;
  private final FileLock lock;
  private final BlockingQueue<Object> queue;
  private final Thread writer;

  private final AtomicLong recordsWritten = new AtomicLong();
  private final AtomicLong checkpointsWritten = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closed;
  private volatile Throwable failure;

  // Writer-thread state.
  private final Ed25519Signer signer;
  private final MessageDigest md = AuditFormat.sha256();
  private final LineBuffer line = new LineBuffer(2048);
  /** One generator for the writer's life: each line is a root value, flushed into {@link #line}. */
  private JsonGenerator gen;
  private final LineBuffer batch = new LineBuffer(64 * 1024);
  private long nextSeq;
  private String prevHash;
  private int sinceCheckpoint;
  private long unsignedSinceNanos;
  private long lossRecorded;

  /**
   * Opens {@code file} with default options (fsync at checkpoints), continuing its chain if it has
   * lines, else starting the chain of {@code replicaId}.
   */
  public static AuditLog open(
      Path file, PrivateKey ed25519SigningKey, int checkpointEvery, String replicaId)
      throws IOException {
    return open(
        file,
        ed25519SigningKey,
        Options.builder(replicaId).checkpointEvery(checkpointEvery).build());
  }

  /**
   * Opens {@code file}: continues its chain (the last line gives seq and hash) or, for a missing or
   * empty file, starts a new chain at the genesis hash of the replica.
   *
   * @throws IOException if the file cannot be opened or locked, is already open, ends in a torn
   *     line, belongs to another replica, or its last checkpoint was signed with another key
   * @throws IllegalArgumentException if the key is not an Ed25519 private key
   */
  public static AuditLog open(Path file, PrivateKey ed25519SigningKey, Options options)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(ed25519SigningKey, "ed25519SigningKey");
    Objects.requireNonNull(options, "options");
    PrivateKey key = AuditKeys.toJdkPrivate(ed25519SigningKey.getEncoded());
    PublicKey pub = AuditKeys.publicKeyOf(key);
    Ed25519Signer signer = selfTestedSigner(key, pub);
    return new AuditLog(file, options, signer, AuditFormat.keyId(pub));
  }

  private AuditLog(Path file, Options options, Ed25519Signer signer, String keyId) throws IOException {
    this.file = file;
    this.options = options;
    this.signer = signer;
    this.keyId = keyId;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    createIfMissing(file);
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    FileLock l;
    try {
      l = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (l == null) {
      channel.close();
      throw new IOException(file + ": audit file is already open by another writer");
    }
    this.lock = l;
    try {
      readTail();
    } catch (IOException | RuntimeException e) {
      lock.release();
      channel.close();
      throw e;
    }
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity);
    this.writer = new Thread(this::runWriter, "warden-audit-" + options.replicaId);
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Hands one event to the writer thread. Never blocks on I/O and does no encoding: safe on an
   * event loop. Returns {@code false} (and counts a drop) if the queue is full, the log is closed
   * or the writer has failed.
   *
   * @throws IllegalArgumentException if the event names a replica other than this log's
   */
  public boolean append(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    if (event.replicaId() != null && !event.replicaId().equals(options.replicaId)) {
      throw new IllegalArgumentException(
          "event of replica '" + event.replicaId() + "' appended to the log of replica '"
              + options.replicaId + "'");
    }
    inFlight.incrementAndGet();
    try {
      if (closed || failure != null || !queue.offer(event)) {
        dropped.incrementAndGet();
        return false;
      }
      return true;
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /** Record lines written to the file (handed to the OS) since open. */
  public long recordsWritten() { return recordsWritten.get(); }

  /** Checkpoint lines written since open, including the final one. */
  public long checkpointsWritten() { return checkpointsWritten.get(); }

  /** Events refused by {@link #append} since open (queue full, closed, or writer failed). */
  public long droppedCount() { return dropped.get(); }

  /** Events queued and not yet written. */
  public int pending() { return queue.size(); }

  /** {@code false} once the writer thread has failed (disk full, I/O error); see {@link #failure()}. */
  public boolean isHealthy() { return failure == null && !closed; }

  /** Why the writer stopped, if it failed. */
  public Optional<Throwable> failure() { return Optional.ofNullable(failure); }

  /** Key id of the signing key (what checkpoints carry in {@code keyId}). */
  public String keyId() { return keyId; }

  public String replicaId() { return options.replicaId; }

  public Path file() { return file; }

  /**
   * Stops accepting events, writes every queued event, a final checkpoint, fsyncs, and closes the
   * file. Idempotent; a second caller waits until the first has finished. Waits for the writer:
   * call it from a shutdown path, not an event loop.
   *
   * @throws IOException if the writer failed at any time (the file then lacks a final checkpoint)
   */
  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      // Appends that saw closed == false finish their offer before the poison goes in behind them.
      while (inFlight.get() != 0) Thread.yield();
      boolean interrupted = false;
      while (writer.isAlive()) {
        try {
          if (queue.offer(POISON, 100, TimeUnit.MILLISECONDS)) {
            LockSupport.unpark(writer); // cut a linger short
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      while (writer.isAlive()) {
        try {
          writer.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel releases it anyway
      }
      channel.close();
      if (interrupted) Thread.currentThread().interrupt();
    }
    Throwable f = failure;
    if (f != null) {
      throw new IOException(file + ": audit writer failed: " + f, f);
    }
  }

  @Override
  public String toString() {
    return "AuditLog[" + file + " replica=" + options.replicaId + " keyId=" + keyId
        + " written=" + recordsWritten.get() + " dropped=" + dropped.get() + "]";
  }

  // ---- writer thread ---------------------------------------------------------------------------

  private void runWriter() {
    List<Object> items = new ArrayList<>(options.maxBatch);
    long intervalNanos = options.checkpointInterval.toNanos();
    long lingerNanos = options.linger.toNanos();
    try {
      boolean stop = false;
      while (!stop) {
        items.clear();
        Object first;
        if (intervalNanos > 0 && sinceCheckpoint > 0) {
          long wait = intervalNanos - (System.nanoTime() - unsignedSinceNanos);
          first = wait <= 0 ? null : queue.poll(wait, TimeUnit.NANOSECONDS);
        } else {
          first = queue.take();
        }
        if (first != null) {
          items.add(first);
          queue.drainTo(items, options.maxBatch - 1);
        }
        boolean checkpointed = writeLossIfAny();
        for (Object o : items) {
          if (o == POISON) {
            stop = true;
          } else {
            checkpointed |= writeRecord((AuditEvent) o);
          }
        }
        if (stop) {
          writeLossIfAny();
          writeCheckpoint(true);
          checkpointed = true;
        } else if (intervalNanos > 0 && sinceCheckpoint > 0
            && System.nanoTime() - unsignedSinceNanos >= intervalNanos) {
          writeCheckpoint(false);
          checkpointed = true;
        }
        flushBatch();
        if (stop || options.fsync == FsyncPolicy.EVERY_BATCH
            || (checkpointed && options.fsync == FsyncPolicy.CHECKPOINT)) {
          channel.force(false);
        }
        if (!stop && lingerNanos > 0 && !items.isEmpty() && !closed) {
          LockSupport.parkNanos(this, lingerNanos); // appends meanwhile queue up without waking us
        }
      }
    } catch (Throwable t) {
      failure = t;
      // Everything still queued is lost: count it, so the loss shows in metrics.
      int left = 0;
      for (Object o; (o = queue.poll()) != null; ) if (o != POISON) left++;
      dropped.addAndGet(left);
    }
  }

  private boolean writeRecord(AuditEvent e) throws IOException {
    JsonGenerator g = generator();
    startLine(g, AuditFormat.TYPE_RECORD);
    g.writeStringField("time", AuditFormat.formatTime(e.time()));
    g.writeStringField("requestId", e.requestId());
    g.writeStringField("tenant", e.tenant());
    g.writeStringField("route", e.route());
    g.writeStringField("protocol", e.protocol());
    g.writeStringField("model", e.model());
    g.writeStringField("modelVersion", e.modelVersion());
    g.writeStringField("modelDigest", e.modelDigest());
    g.writeStringField("inputDigest", e.inputDigest());
    g.writeStringField("compute", e.compute());
    g.writeArrayFieldStart("stages");
    for (AuditEvent.Stage s : e.stages()) {
      g.writeStartObject();
      g.writeStringField("stage", s.stage());
      g.writeStringField("verdict", s.verdict());
      g.writeStringField("detail", s.detail());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("status", e.status());
    g.writeStringField("code", e.code());
    g.writeNumberField("latencyMs", e.latencyMs());
    g.writeFieldName("extra");
    writeJsonValue(g, e.extra());
    g.writeEndObject();
    commitLine();
    recordsWritten.incrementAndGet();
    return countUnsigned();
  }

  private boolean writeLossIfAny() throws IOException {
    long lost = dropped.get() - lossRecorded;
    if (lost <= 0) return false;
    JsonGenerator g = generator();
    startLine(g, AuditFormat.TYPE_LOSS);
    g.writeStringField("time", AuditFormat.formatTime(options.clock.instant()));
    g.writeNumberField("dropped", lost);
    g.writeEndObject();
    commitLine();
    lossRecorded += lost;
    return countUnsigned();
  }

  /** Counts a signed-to-be line; writes a checkpoint when due. Returns whether it did. */
  private boolean countUnsigned() throws IOException {
    if (sinceCheckpoint++ == 0) unsignedSinceNanos = System.nanoTime();
    if (sinceCheckpoint >= options.checkpointEvery) {
      writeCheckpoint(false);
      return true;
    }
    return false;
  }

  private void writeCheckpoint(boolean fin) throws IOException {
    long seq = nextSeq;
    String prev = prevHash;
    String time = AuditFormat.formatTime(options.clock.instant());
    byte[] msg = AuditFormat.checkpointMessage(options.replicaId, seq, prev, time, fin, prev);
    signer.update(msg, 0, msg.length);
    String sig = Base64.getEncoder().encodeToString(signer.generateSignature());
    JsonGenerator g = generator();
    startLine(g, AuditFormat.TYPE_CHECKPOINT);
    g.writeStringField("time", time);
    g.writeBooleanField("final", fin);
    g.writeStringField("chainHash", prev);
    g.writeStringField("keyId", keyId);
    g.writeStringField("sig", sig);
    g.writeEndObject();
    commitLine();
    sinceCheckpoint = 0;
    checkpointsWritten.incrementAndGet();
  }

  private void startLine(JsonGenerator g, String type) throws IOException {
    g.writeStartObject();
    g.writeNumberField("seq", nextSeq);
    g.writeStringField("prev", prevHash);
    g.writeStringField("type", type);
    g.writeStringField("replicaId", options.replicaId);
  }

  private JsonGenerator generator() throws IOException {
    if (gen == null) {
      gen = JSON.createGenerator(line, JsonEncoding.UTF8);
      gen.setRootValueSeparator(null); // lines are separated by commitLine, outside the hash
    }
    line.reset();
    return gen;
  }

  /** Chains the encoded line and moves it into the batch. */
  private void commitLine() throws IOException {
    gen.flush();
    prevHash = AuditFormat.lineHash(md, line.array(), 0, line.size());
    nextSeq++;
    batch.write(line.array(), 0, line.size());
    batch.write('\n');
  }

  private void flushBatch() throws IOException {
    if (batch.size() == 0) return;
    ByteBuffer buf = ByteBuffer.wrap(batch.array(), 0, batch.size());
    while (buf.hasRemaining()) channel.write(buf);
    batch.reset();
    if (batch.array().length > 4 * 1024 * 1024) batch.shrink(64 * 1024);
  }

  private static void writeJsonValue(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).intValue());
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof BigInteger bi) {
      g.writeNumber(bi);
    } else if (v instanceof BigDecimal bd) {
      g.writeNumber(bd);
    } else if (v instanceof Number n) {
      g.writeNumber(n.doubleValue());
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) writeJsonValue(g, o);
      g.writeEndArray();
    } else if (v instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName((String) e.getKey());
        writeJsonValue(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      throw new IllegalStateException("unexpected value type " + v.getClass()); // refused by build()
    }
  }

  // ---- opening ---------------------------------------------------------------------------------

  private static void createIfMissing(Path file) throws IOException {
    if (Files.exists(file)) return;
    try {
      if (Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView("posix")) {
        Files.createFile(
            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException raced) {
      // another opener created it; the lock decides who writes
    }
  }

  /** Sets {@link #nextSeq} and {@link #prevHash} from the file's last line, or to the genesis. */
  private void readTail() throws IOException {
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      if (size == 0) {
        nextSeq = 1;
        prevHash = AuditFormat.genesis(options.replicaId);
        return;
      }
      int window = (int) Math.min(size, AuditFormat.MAX_LINE_BYTES + 1L);
      ByteBuffer buf = ByteBuffer.allocate(window);
      long pos = size - window;
      while (buf.hasRemaining()) {
        if (in.read(buf, pos + buf.position()) < 0) throw new IOException(file + ": shrank while reading");
      }
      byte[] tail = buf.array();
      if (tail[window - 1] != '\n') {
        throw new IOException(file + ": last line is incomplete (no trailing newline): a writer died "
            + "mid-write. Run `warden audit verify` on it and repair it, or start a new file.");
      }
      int start = window - 2;
      while (start >= 0 && tail[start] != '\n') start--;
      start++;
      if (start == 0 && pos > 0) {
        throw new IOException(file + ": last line is longer than " + AuditFormat.MAX_LINE_BYTES + " bytes");
      }
      int len = window - 1 - start;
      JsonNode last;
      try {
        last = MAPPER.readTree(tail, start, len);
      } catch (IOException e) {
        throw new IOException(file + ": last line is not JSON, cannot continue its chain: " + e.getMessage(), e);
      }
      if (last == null || !last.isObject() || !last.path("seq").canConvertToExactIntegral()
          || !last.path("replicaId").isTextual()) {
        throw new IOException(file + ": last line is not an audit line (seq, replicaId), cannot continue its chain");
      }
      String replica = last.get("replicaId").asText();
      if (!replica.equals(options.replicaId)) {
        throw new IOException(file + ": holds the chain of replica '" + replica
            + "', not '" + options.replicaId + "'; use one file per replica");
      }
      if (AuditFormat.TYPE_CHECKPOINT.equals(last.path("type").asText())
          && !keyId.equals(last.path("keyId").asText())) {
        throw new IOException(file + ": was signed with key " + last.path("keyId").asText()
            + ", not with this key (" + keyId + "); start a new file when the key changes");
      }
      nextSeq = last.get("seq").asLong() + 1;
      prevHash = AuditFormat.lineHash(md, tail, start, len);
    }
  }

  /**
   * Bouncy Castle's Ed25519 (about ten times faster than the JDK 17 provider's on this writer
   * thread), checked once against the JDK's verifier so a key mix-up fails at open, not at audit.
   */
  private static Ed25519Signer selfTestedSigner(PrivateKey key, PublicKey pub) {
    byte[] seed = ((EdECPrivateKey) key).getBytes()
        .orElseThrow(() -> new IllegalArgumentException("Ed25519 private key without key bytes"));
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, new Ed25519PrivateKeyParameters(seed, 0));
    java.util.Arrays.fill(seed, (byte) 0);
    byte[] probe = (AuditFormat.VERSION + ":self-test").getBytes(StandardCharsets.UTF_8);
    s.update(probe, 0, probe.length);
    byte[] sig = s.generateSignature();
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(pub);
      v.update(probe);
      if (!v.verify(sig)) throw new IllegalStateException("Ed25519 self-test failed");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
    }
    return s;
  }

  /** A ByteArrayOutputStream whose array can be read without a copy. */
  private static final class LineBuffer extends ByteArrayOutputStream {
    LineBuffer(int size) { super(size); }
    byte[] array() { return buf; }
    void shrink(int size) { buf = new byte[size]; count = 0; }
    @Override public void write(byte[] b, int off, int len) { super.write(b, off, len); }
    @Override public void close() {}
  }
}
