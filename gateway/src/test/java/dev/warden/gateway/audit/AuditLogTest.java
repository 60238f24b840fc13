package dev.warden.gateway.audit;

import static dev.warden.gateway.audit.AuditFiles.event;
import static dev.warden.gateway.audit.AuditFiles.lines;
import static dev.warden.gateway.audit.AuditFiles.parse;
import static dev.warden.gateway.audit.AuditFiles.sha256Hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditLogTest {
  static KeyPair kp;
  @TempDir Path dir;

  @BeforeAll
  static void key() {
    kp = AuditKeys.generate();
  }

  Path file() {
    return dir.resolve("audit.jsonl");
  }

  @Test
  void newFile_startsAtTheGenesisHashOfItsReplica() throws IOException {
    AuditFiles.writeLog(file(), kp, 1, 10);
    JsonNode first = parse(lines(file()).get(0));
    assertEquals(1, first.get("seq").asLong());
    assertEquals(sha256Hex("warden-audit-v1:replica-1".getBytes(StandardCharsets.UTF_8)),
        first.get("prev").asText());
  }

  @Test
  void everyLine_carriesTheSha256OfThePreviousLinesBytes() throws IOException {
    AuditFiles.writeLog(file(), kp, 12, 5);
    List<byte[]> l = lines(file());
    for (int i = 1; i < l.size(); i++) {
      JsonNode n = parse(l.get(i));
      assertEquals(i + 1, n.get("seq").asLong());
      assertEquals(sha256Hex(l.get(i - 1)), n.get("prev").asText(), "line " + (i + 1));
    }
  }

  @Test
  void record_holdsEveryEventField() throws IOException {
    AuditEvent e = AuditEvent.builder()
        .time(Instant.parse("2026-03-04T05:06:07.089Z"))
        .requestId("r-1").tenant("acme").route("chat").protocol("openai").model("demo-chat")
        .modelVersion("2").modelDigest(null).inputDigest("hmac:00").compute("he")
        .stage("tenant", "allow", "jwt").stage("privacy", "deny", "budget exhausted")
        .status(429).code("privacy_budget_exhausted").latencyMs(12.5)
        .extra("epsilon", 0.5).extra("usage", Map.of("total_tokens", 42))
        .build();
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 10, "r1")) {
      assertTrue(log.append(e));
    }
    JsonNode n = parse(lines(file()).get(0));
    assertEquals("record", n.get("type").asText());
    assertEquals("r1", n.get("replicaId").asText());
    assertEquals("2026-03-04T05:06:07.089Z", n.get("time").asText());
    assertEquals("r-1", n.get("requestId").asText());
    assertEquals("acme", n.get("tenant").asText());
    assertEquals("chat", n.get("route").asText());
    assertEquals("openai", n.get("protocol").asText());
    assertEquals("demo-chat", n.get("model").asText());
    assertEquals("2", n.get("modelVersion").asText());
    assertTrue(n.get("modelDigest").isNull());
    assertEquals("hmac:00", n.get("inputDigest").asText());
    assertEquals("he", n.get("compute").asText());
    assertEquals(2, n.get("stages").size());
    assertEquals("privacy", n.get("stages").get(1).get("stage").asText());
    assertEquals("deny", n.get("stages").get(1).get("verdict").asText());
    assertEquals("budget exhausted", n.get("stages").get(1).get("detail").asText());
    assertEquals(429, n.get("status").asInt());
    assertEquals("privacy_budget_exhausted", n.get("code").asText());
    assertEquals(12.5, n.get("latencyMs").asDouble());
    assertEquals(0.5, n.get("extra").get("epsilon").asDouble());
    assertEquals(42, n.get("extra").get("usage").get("total_tokens").asInt());
  }

  @Test
  void newlinesInFields_stayInsideOneLine() throws IOException {
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 10, "r1")) {
      log.append(AuditEvent.builder().tenant("a\nb\r\n{\"seq\":1}").status(200).build());
    }
    assertEquals(2, lines(file()).size());
    assertEquals("a\nb\r\n{\"seq\":1}", parse(lines(file()).get(0)).get("tenant").asText());
    assertTrue(AuditVerifier.verify(file(), kp.getPublic(), true).ok());
  }

  @Test
  void checkpoint_isWrittenAfterEveryNRecords_andAFinalOneAtClose() throws IOException {
    long checkpoints;
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 3, "r1")) {
      for (int i = 0; i < 10; i++) log.append(event(i));
      log.close();
      checkpoints = log.checkpointsWritten();
      assertEquals(10, log.recordsWritten());
    }
    assertEquals(4, checkpoints);
    List<byte[]> l = lines(file());
    assertEquals(14, l.size());
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < l.size(); i++) {
      JsonNode n = parse(l.get(i));
      if ("checkpoint".equals(n.get("type").asText())) {
        at.add(i + 1);
        assertEquals(i + 1 == 14, n.get("final").asBoolean());
      }
    }
    assertEquals(List.of(4, 8, 12, 14), at);
  }

  @Test
  void checkpointSignature_coversTheDocumentedMessage() throws Exception {
    AuditFiles.writeLog(file(), kp, 2, 2);
    ObjectNode cp = parse(lines(file()).get(2));
    assertEquals(AuditKeys.keyId(kp.getPublic()), cp.get("keyId").asText());
    assertEquals(32, cp.get("keyId").asText().length());
    assertEquals(cp.get("prev").asText(), cp.get("chainHash").asText());
    String msg = "warden-audit-v1:checkpoint\0replica-1\0" + cp.get("seq").asLong() + "\0"
        + cp.get("prev").asText() + "\0" + cp.get("time").asText() + "\0periodic\0"
        + cp.get("chainHash").asText();
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(kp.getPublic());
    v.update(msg.getBytes(StandardCharsets.UTF_8));
    assertTrue(v.verify(Base64.getDecoder().decode(cp.get("sig").asText())));
  }

  @Test
  void reopen_continuesTheChainOfTheExistingFile() throws IOException {
    AuditFiles.writeLog(file(), kp, 7, 3);
    int before = lines(file()).size();
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 3, "replica-1")) {
      for (int i = 0; i < 4; i++) log.append(event(100 + i));
    }
    List<byte[]> l = lines(file());
    JsonNode firstNew = parse(l.get(before));
    assertEquals(before + 1, firstNew.get("seq").asLong());
    assertEquals(sha256Hex(l.get(before - 1)), firstNew.get("prev").asText());
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(11, r.records());
  }

  @Test
  void reopen_afterACrashLeavesNoGap_andSignsTheOldTail() throws IOException {
    AuditFiles.writeLog(file(), kp, 6, 4);
    List<byte[]> l = lines(file()); // 4 rec, cp, 2 rec, final cp: drop the final cp = "crash"
    AuditFiles.write(file(), l.subList(0, l.size() - 1));
    assertFalse(AuditVerifier.verify(file(), kp.getPublic(), true).ok());
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 4, "replica-1")) {
      log.append(event(50));
    }
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(7, r.records());
  }

  @Test
  void reopen_asAnotherReplica_isRefused() throws IOException {
    AuditFiles.writeLog(file(), kp, 2, 5);
    IOException e = assertThrows(IOException.class,
        () -> AuditLog.open(file(), kp.getPrivate(), 5, "replica-2"));
    assertTrue(e.getMessage().contains("replica-1"), e.getMessage());
  }

  @Test
  void reopen_withAnotherKey_isRefused() throws IOException {
    AuditFiles.writeLog(file(), kp, 2, 5);
    IOException e = assertThrows(IOException.class,
        () -> AuditLog.open(file(), AuditKeys.generate().getPrivate(), 5, "replica-1"));
    assertTrue(e.getMessage().contains("key"), e.getMessage());
  }

  @Test
  void tornLastLine_isRefusedAtOpen() throws IOException {
    AuditFiles.writeLog(file(), kp, 3, 5);
    byte[] all = Files.readAllBytes(file());
    Files.write(file(), java.util.Arrays.copyOf(all, all.length - 7));
    IOException e = assertThrows(IOException.class,
        () -> AuditLog.open(file(), kp.getPrivate(), 5, "replica-1"));
    assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
  }

  @Test
  void secondWriterOnTheSameFile_isRefused() throws IOException {
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 5, "r1")) {
      IOException e = assertThrows(IOException.class,
          () -> AuditLog.open(file(), kp.getPrivate(), 5, "r1"));
      assertTrue(e.getMessage().contains("already open"), e.getMessage());
    }
    AuditLog.open(file(), kp.getPrivate(), 5, "r1").close(); // lock released at close
  }

  @Test
  void newFile_isNotWorldReadable() throws IOException {
    AuditFiles.writeLog(file(), kp, 1, 5);
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file());
      assertFalse(p.contains(PosixFilePermission.OTHERS_READ));
      assertFalse(p.contains(PosixFilePermission.GROUP_WRITE));
    }
  }

  @Test
  @Timeout(120) // a hang here would mean a lost wake-up between appenders, writer and close
  void concurrentAppendsFromEightThreads_giveOneValidChainWithEveryRecord() throws Exception {
    int threads = 8;
    int perThread = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(),
        AuditLog.Options.builder("r8").checkpointEvery(100).fsync(AuditLog.FsyncPolicy.NONE).build())) {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        fs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < perThread; i++) {
            if (!log.append(AuditEvent.builder().requestId(id + "-" + i).status(200).build())) {
              throw new AssertionError("dropped");
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
      log.close();
      assertEquals(threads * perThread, log.recordsWritten());
      assertEquals(0, log.droppedCount());
      assertEquals(0, log.pending());
    } finally {
      pool.shutdownNow();
    }
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(threads * perThread, r.records());
    Set<String> ids = new HashSet<>();
    for (byte[] line : lines(file())) {
      JsonNode n = parse(line);
      if ("record".equals(n.get("type").asText())) ids.add(n.get("requestId").asText());
    }
    assertEquals(threads * perThread, ids.size());
    for (int t = 0; t < threads; t++) assertTrue(ids.contains(t + "-" + (perThread - 1)));
  }

  /** A clock that, once armed, parks the writer thread inside its next checkpoint. */
  static final class StallingClock extends Clock {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean armed;

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }

    @Override
    public Instant instant() {
      if (armed) {
        armed = false;
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return Instant.now();
    }
  }

  @Test
  @Timeout(60) // append must not block on a full queue: a block would hang here
  void fullQueue_dropsAreCountedAndRecordedInTheSignedChain() throws Exception {
    StallingClock clock = new StallingClock();
    AuditLog log = AuditLog.open(file(), kp.getPrivate(), AuditLog.Options.builder("r1")
        .checkpointEvery(1).queueCapacity(2).clock(clock).build());
    clock.armed = true;
    assertTrue(log.append(event(0))); // the writer takes it and parks in the checkpoint
    assertTrue(clock.entered.await(10, TimeUnit.SECONDS));
    assertTrue(log.append(event(1)));
    assertTrue(log.append(event(2)));
    assertFalse(log.append(event(3)), "a full queue must not block the caller");
    assertFalse(log.append(event(4)));
    assertEquals(2, log.droppedCount());
    assertEquals(2, log.pending());
    clock.release.countDown();
    log.close();
    assertEquals(3, log.recordsWritten());
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(3, r.records());
    assertEquals(2, r.droppedEvents());
    assertTrue(r.warnings().get(0).message().contains("2 event(s) were dropped"));
  }

  @Test
  void appendAfterClose_isRefusedAndCounted() throws IOException {
    AuditLog log = AuditLog.open(file(), kp.getPrivate(), 5, "r1");
    log.close();
    log.close(); // idempotent
    assertFalse(log.append(event(1)));
    assertEquals(1, log.droppedCount());
    assertFalse(log.isHealthy());
  }

  @Test
  void eventOfAnotherReplica_isRefused() throws IOException {
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), 5, "r1")) {
      assertThrows(IllegalArgumentException.class,
          () -> log.append(AuditEvent.builder().replicaId("r2").status(200).build()));
      assertTrue(log.append(AuditEvent.builder().replicaId("r1").status(200).build()));
    }
  }

  @ParameterizedTest
  @EnumSource(AuditLog.FsyncPolicy.class)
  void everyFsyncPolicy_writesAVerifiableLog(AuditLog.FsyncPolicy policy) throws IOException {
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(),
        AuditLog.Options.builder("r1").checkpointEvery(4).fsync(policy).build())) {
      for (int i = 0; i < 9; i++) log.append(event(i));
    }
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(9, r.records());
  }

  @Test
  void quietLog_isCheckpointedAfterTheInterval() throws Exception {
    try (AuditLog log = AuditLog.open(file(), kp.getPrivate(), AuditLog.Options.builder("r1")
        .checkpointEvery(1000).checkpointInterval(Duration.ofMillis(50)).build())) {
      log.append(event(1));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (log.checkpointsWritten() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
      assertEquals(1, log.checkpointsWritten());
      assertTrue(AuditVerifier.verify(file(), kp.getPublic()).ok());
      assertEquals(List.of(), AuditVerifier.verify(file(), kp.getPublic()).warnings().stream()
          .filter(w -> w.message().contains("unsigned")).toList());
    }
  }

  @Test
  void badOptions_areRefusedWithTheirName() {
    assertThrows(IllegalArgumentException.class,
        () -> AuditLog.open(file(), kp.getPrivate(), 0, "r1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuditLog.open(file(), kp.getPrivate(), 5, "bad id/with slash"));
    assertTrue(e.getMessage().contains("replicaId"));
  }

  @Test
  @Timeout(60) // close must cut the writer's linger short, not wait it out
  void eventsAppendedWhileTheWriterLingers_areWrittenByClose() throws Exception {
    AuditLog log = AuditLog.open(file(), kp.getPrivate(), AuditLog.Options.builder("r1")
        .checkpointEvery(1000).linger(Duration.ofSeconds(1)).build());
    log.append(event(0));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (log.recordsWritten() == 0 && System.nanoTime() < deadline) Thread.sleep(1);
    assertEquals(1, log.recordsWritten()); // the writer wrote the first one and now lingers
    for (int i = 1; i < 5; i++) assertTrue(log.append(event(i)));
    log.close();
    assertEquals(5, log.recordsWritten());
    AuditVerifier.Result r = AuditVerifier.verify(file(), kp.getPublic(), true);
    assertTrue(r.ok(), r.reason());
    assertEquals(5, r.records());
  }

  @Test
  void linger_outsideZeroToOneSecond_isRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> AuditLog.Options.builder("r1").linger(Duration.ofMillis(-1)).build());
    assertThrows(IllegalArgumentException.class,
        () -> AuditLog.Options.builder("r1").linger(Duration.ofSeconds(2)).build());
    AuditLog.Options.builder("r1").linger(Duration.ZERO).build(); // zero: no linger
  }

  @Test
  void nonEd25519Key_isRefused() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    assertThrows(IllegalArgumentException.class,
        () -> AuditLog.open(file(), g.generateKeyPair().getPrivate(), 5, "r1"));
  }
}
