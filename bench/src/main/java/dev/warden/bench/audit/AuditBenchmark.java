package dev.warden.bench.audit;

import dev.warden.gateway.audit.AuditEvent;
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.audit.AuditLog;
import dev.warden.gateway.audit.AuditVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Audit trail throughput: how many request records per second one {@link AuditLog} writer thread
 * turns into hash-chained, checkpoint-signed lines on disk, and how fast {@link AuditVerifier}
 * checks a file. Workload: a typical OIP request record (~700 bytes: tenant, route, model, digests,
 * four stage verdicts), a checkpoint every 1000 records (the default).
 *
 * <p>{@code sustained}: the caller appends {@value #BATCH} events and waits until the writer has
 * written them all, so the figure is end-to-end written records/s (the rate above which the queue
 * fills and {@code append} starts dropping), not the cost of a queue offer. Compared across the
 * three fsync policies. {@code verify}: lines/s of {@code audit verify}.
 *
 * <p>Run: {@code bench/audit.sh}, or
 * {@code java -Daudit.dir=DIR -jar bench/target/benchmarks.jar dev.warden.bench.audit -f1 -wi 2 -i 3}
 * ({@code audit.dir}: where the files go; default the JVM's temp dir — use a real disk, a tmpfs
 * makes fsync free).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AuditBenchmark {
  static final int BATCH = 1000;
  static final int VERIFY_RECORDS = 20_000;

  static AuditEvent typicalEvent() {
    return AuditEvent.builder()
        .time(Instant.now())
        .requestId("0f8c2d4e-6a1b-4c3d-9e8f-7a6b5c4d3e2f")
        .tenant("acme-research")
        .route("digits-v1")
        .protocol("oip")
        .model("digits")
        .modelVersion("1")
        .modelDigest("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        .inputDigest("hmac-sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
        .compute("plain")
        .stage("tenant", "allow", "api-key")
        .stage("route", "allow", null)
        .stage("trust", "allow", "verified")
        .stage("ratelimit", "allow", null)
        .status(200)
        .latencyMs(1.734)
        .build();
  }

  static Path dir() throws IOException {
    Path base = Path.of(System.getProperty("audit.dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "warden-audit-bench");
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) Files.delete(p);
    }
    Files.delete(dir);
  }

  /** One open log per trial. */
  @State(Scope.Benchmark)
  public static class Writer {
    @Param({"NONE", "CHECKPOINT", "EVERY_BATCH"})
    public AuditLog.FsyncPolicy fsync;

    Path dir;
    AuditLog log;
    AuditEvent event;
    long target;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = dir();
      KeyPair kp = AuditKeys.generate();
      log = AuditLog.open(dir.resolve("audit.jsonl"), kp.getPrivate(),
          AuditLog.Options.builder("bench").fsync(fsync).build());
      event = typicalEvent();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      log.close();
      if (log.droppedCount() != 0) {
        throw new IllegalStateException("dropped " + log.droppedCount() + " events");
      }
      delete(dir);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long sustained(Writer w) {
    for (int i = 0; i < BATCH; i++) {
      while (!w.log.append(w.event)) Thread.onSpinWait(); // never happens with BATCH << queue
    }
    w.target += BATCH;
    while (w.log.recordsWritten() < w.target) Thread.yield(); // leave the CPU to the writer
    return w.target;
  }

  /** A closed, signed file of {@value #VERIFY_RECORDS} records to verify. */
  @State(Scope.Benchmark)
  public static class File {
    Path dir;
    Path file;
    KeyPair kp;

    @Setup(Level.Trial)
    public void write() throws IOException {
      dir = dir();
      file = dir.resolve("audit.jsonl");
      kp = AuditKeys.generate();
      try (AuditLog log = AuditLog.open(file, kp.getPrivate(), 1000, "bench")) {
        AuditEvent e = typicalEvent();
        for (int i = 0; i < VERIFY_RECORDS; i++) {
          while (!log.append(e)) Thread.onSpinWait();
        }
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      AuditBenchmark.delete(dir);
    }
  }

  @Benchmark
  @OperationsPerInvocation(VERIFY_RECORDS)
  public AuditVerifier.Result verify(File f) throws IOException {
    AuditVerifier.Result r = AuditVerifier.verify(f.file, f.kp.getPublic(), true);
    if (!r.ok()) throw new IllegalStateException(r.reason());
    return r;
  }
}
