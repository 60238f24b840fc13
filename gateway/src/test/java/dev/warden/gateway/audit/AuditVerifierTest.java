package dev.warden.gateway.audit;

import static dev.warden.gateway.audit.AuditFiles.bytes;
import static dev.warden.gateway.audit.AuditFiles.encode;
import static dev.warden.gateway.audit.AuditFiles.lines;
import static dev.warden.gateway.audit.AuditFiles.parse;
import static dev.warden.gateway.audit.AuditFiles.sha256Hex;
import static dev.warden.gateway.audit.AuditFiles.text;
import static dev.warden.gateway.audit.AuditFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.gateway.audit.AuditVerifier.Problem;
import dev.warden.gateway.audit.AuditVerifier.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tampering with a real signed log, one way at a time. The reference log has 20 records and a
 * checkpoint every 5: lines 1-5 records, 6 checkpoint, 7-11, 12 cp, 13-17, 18 cp, 19-23, 24 cp,
 * 25 the final checkpoint written at close.
 */
class AuditVerifierTest {
  static final int LINES = 25;
  static final List<Integer> CHECKPOINT_LINES = List.of(6, 12, 18, 24, 25);

  static KeyPair kp;
  static Path reference;
  static List<byte[]> original;

  @TempDir static Path shared;
  @TempDir Path dir;
  Path file;

  @BeforeAll
  static void writeReferenceLog() throws IOException {
    kp = AuditKeys.generate();
    reference = shared.resolve("reference.jsonl");
    AuditFiles.writeLog(reference, kp, 20, 5);
    original = List.copyOf(lines(reference));
    assertEquals(LINES, original.size());
  }

  @BeforeEach
  void copy() throws IOException {
    file = dir.resolve("audit.jsonl");
    Files.copy(reference, file);
  }

  Result verify() throws IOException {
    return AuditVerifier.verify(file, kp.getPublic());
  }

  Result verifyStrict() throws IOException {
    return AuditVerifier.verify(file, kp.getPublic(), true);
  }

  static void assertBad(Result r, long line, Problem p) {
    assertFalse(r.ok(), "tampering went unnoticed");
    assertEquals(p, r.problem(), r.reason());
    assertEquals(line, r.badLine(), r.reason());
  }

  static IntStream allLines() {
    return IntStream.rangeClosed(1, LINES);
  }

  static IntStream recordLines() {
    return allLines().filter(i -> !CHECKPOINT_LINES.contains(i));
  }

  static IntStream allButLast() {
    return IntStream.range(1, LINES);
  }

  @Test
  void cleanLog_verifiesWithItsCounts() throws IOException {
    Result r = verifyStrict();
    assertTrue(r.ok(), r.reason());
    assertEquals(25, r.lines());
    assertEquals(20, r.records());
    assertEquals(5, r.checkpoints());
    assertEquals("replica-1", r.replicaId());
    assertTrue(r.finalCheckpoint());
    assertEquals(List.of(), r.warnings());
  }

  @ParameterizedTest(name = "record at line {0}")
  @MethodSource("recordLines")
  void editedRecordField_isNamedAtItsOwnLine(int line) throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.set(line - 1, bytes(text(l.get(line - 1)).replace("\"tenant\":\"acme\"", "\"tenant\":\"evil\"")));
    write(file, l);
    assertBad(verify(), line, Problem.EDITED);
  }

  @ParameterizedTest(name = "checkpoint at line {0}")
  @MethodSource("dev.warden.gateway.audit.AuditVerifierTest#checkpointLines")
  void editedCheckpoint_failsItsSignatureAtItsOwnLine(int line) throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode cp = parse(l.get(line - 1));
    cp.put("time", "2030-01-01T00:00:00.000Z");
    l.set(line - 1, encode(cp));
    write(file, l);
    assertBad(verify(), line, Problem.BAD_SIGNATURE);
  }

  static List<Integer> checkpointLines() {
    return CHECKPOINT_LINES;
  }

  @ParameterizedTest(name = "prev of line {0}")
  @MethodSource("allButLast")
  void editedPrevField_isNamedAtItsOwnLine(int line) throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode n = parse(l.get(line - 1));
    n.put("prev", "00".repeat(32));
    if (n.has("chainHash")) n.put("chainHash", "00".repeat(32));
    l.set(line - 1, encode(n));
    write(file, l);
    Result r = verify();
    assertFalse(r.ok());
    assertEquals(line, r.badLine(), r.reason());
  }

  @ParameterizedTest(name = "line {0}")
  @MethodSource("allButLast")
  void removedLine_isNamedWhereItWasRemoved(int line) throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.remove(line - 1);
    write(file, l);
    assertBad(verify(), line, Problem.REMOVED);
  }

  @Test
  void removedFinalCheckpoint_isOnlyAWarning_unlessTheFinalCheckpointIsRequired() throws IOException {
    write(file, original.subList(0, LINES - 1));
    Result lax = verify();
    assertTrue(lax.ok());
    assertFalse(lax.finalCheckpoint());
    assertEquals(24, lax.warnings().get(0).line());
    assertBad(verifyStrict(), 24, Problem.NOT_CLOSED);
  }

  @Test
  void cutTail_isAnUnsignedTailWarning_andAFailureWhenTheFinalCheckpointIsRequired()
      throws IOException {
    write(file, original.subList(0, 22)); // lines 19..22 follow the checkpoint at 18
    Result lax = verify();
    assertTrue(lax.ok(), lax.reason());
    assertEquals(19, lax.warnings().get(0).line());
    assertTrue(lax.warnings().get(0).message().contains("unsigned tail"));
    assertBad(verifyStrict(), 19, Problem.UNSIGNED_TAIL);
  }

  @ParameterizedTest(name = "lines {0} and {0}+1")
  @MethodSource("allButLast")
  void swappedLines_areReportedAsReorderedAtTheFirst(int line) throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    Collections.swap(l, line - 1, line);
    write(file, l);
    assertBad(verify(), line, Problem.REORDERED);
  }

  @Test
  void lineMovedFarAway_isDetectedWhereItIsMissing() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    byte[] moved = l.remove(2);
    l.add(15, moved);
    write(file, l);
    Result r = verify();
    assertFalse(r.ok());
    assertEquals(3, r.badLine(), r.reason());
  }

  @ParameterizedTest(name = "before line {0}")
  @MethodSource("recordLines")
  void forgedLineChainedToItsPredecessor_isNamedAsInserted(int line) throws IOException {
    // The attacker copies record `line`, changes it, and links it correctly to line-1.
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode forged = parse(l.get(line - 1));
    forged.put("tenant", "someone-else");
    forged.put("requestId", "forged");
    l.add(line - 1, encode(forged));
    write(file, l);
    assertBad(verify(), line, Problem.INSERTED);
  }

  @ParameterizedTest(name = "after line {0}")
  @MethodSource("allButLast")
  void forgedLineChainedToTheLineBeforeIt_isNamedAsInserted(int line) throws IOException {
    // Inserted after `line`, with the next seq and prev = hash(line): the chain up to it is fine.
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode forged = parse(original.get(recordLines().findFirst().getAsInt() - 1));
    forged.put("seq", parse(l.get(line - 1)).get("seq").asLong() + 1);
    forged.put("prev", sha256Hex(l.get(line - 1)));
    forged.put("requestId", "forged");
    l.add(line, encode(forged));
    write(file, l);
    assertBad(verify(), line + 1, Problem.INSERTED);
  }

  @Test
  void forgedLineWithArbitrarySeq_isNamedAsInserted() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode forged = parse(l.get(7));
    forged.put("seq", 999);
    l.add(7, encode(forged));
    write(file, l);
    assertBad(verify(), 8, Problem.INSERTED);
  }

  @Test
  void duplicatedLine_isNamedAtTheCopy() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.add(9, l.get(8));
    write(file, l);
    assertBad(verify(), 10, Problem.INSERTED);
  }

  @Test
  void rechainedFileAfterAnEdit_failsAtTheNextCheckpointSignature() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.set(7, bytes(text(l.get(7)).replace("\"status\":200", "\"status\":403")));
    write(file, AuditFiles.rechain(l));
    Result r = verify();
    assertBad(r, 12, Problem.BAD_SIGNATURE);
    assertTrue(r.reason().contains("lines 7..11"), r.reason());
  }

  @Test
  void rechainedFileAfterARemoval_failsAtTheNextCheckpointSignature() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.remove(14); // line 15
    write(file, AuditFiles.rechain(l));
    assertBad(verify(), 17, Problem.BAD_SIGNATURE); // old checkpoint 18, now at 17
  }

  @Test
  void rechainedTailWithCheckpointsStripped_failsWhenTheFinalCheckpointIsRequired()
      throws IOException {
    List<byte[]> l = new ArrayList<>(original.subList(0, 11)); // up to checkpoint 6 and lines 7-11
    l.set(8, bytes(text(l.get(8)).replace("\"status\":200", "\"status\":500")));
    for (int i = 12; i < LINES; i++) {
      if (!CHECKPOINT_LINES.contains(i + 1)) l.add(original.get(i));
    }
    write(file, AuditFiles.rechain(l));
    Result lax = verify();
    assertTrue(lax.ok(), "without the key the tail can only be left unsigned");
    assertEquals(7, lax.warnings().get(0).line());
    assertBad(verifyStrict(), 7, Problem.UNSIGNED_TAIL);
  }

  @Test
  void checkpointSignedWithAnotherKey_isRefused() throws IOException {
    KeyPair other = AuditKeys.generate();
    Result r = AuditVerifier.verify(file, other.getPublic());
    assertBad(r, 6, Problem.UNKNOWN_KEY);
  }

  @Test
  void checkpointSignedByAnotherKeyUnderTheRightKeyId_failsItsSignature() throws IOException {
    Path forgedFile = dir.resolve("forged.jsonl");
    KeyPair attacker = AuditKeys.generate();
    AuditFiles.writeLog(forgedFile, attacker, 20, 5);
    List<byte[]> l = new ArrayList<>(lines(forgedFile));
    String keyId = AuditKeys.keyId(kp.getPublic());
    for (int i : CHECKPOINT_LINES) {
      ObjectNode cp = parse(l.get(i - 1));
      cp.put("keyId", keyId);
      l.set(i - 1, encode(cp));
    }
    write(file, AuditFiles.rechain(l));
    assertBad(verify(), 6, Problem.BAD_SIGNATURE);
  }

  @Test
  void malformedJson_isNamedAtItsLine() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.set(4, bytes("{\"seq\":5,"));
    write(file, l);
    assertBad(verify(), 5, Problem.MALFORMED);
  }

  @Test
  void overlongLine_isMalformed_withoutReadingItIntoMemory() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    byte[] huge = new byte[AuditFormat.MAX_LINE_BYTES + 100];
    java.util.Arrays.fill(huge, (byte) 'x');
    l.set(9, huge);
    write(file, l);
    Result r = verify();
    assertBad(r, 10, Problem.MALFORMED);
    assertTrue(r.reason().contains("longer than"), r.reason());
  }

  @Test
  void lineWithoutSeq_isMalformed() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode n = parse(l.get(2));
    n.remove("seq");
    l.set(2, encode(n));
    write(file, l);
    assertBad(verify(), 3, Problem.MALFORMED);
  }

  @Test
  void tornLastLine_isMalformed() throws IOException {
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length - 10));
    assertBad(verify(), 25, Problem.MALFORMED);
  }

  @Test
  void lineOfAnotherReplica_isRefused() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode n = parse(l.get(3));
    n.put("replicaId", "replica-2");
    l.set(3, encode(n));
    write(file, l);
    assertBad(verify(), 4, Problem.WRONG_REPLICA);
  }

  @Test
  void removedFirstLine_isNamedAtLineOne() throws IOException {
    write(file, original.subList(1, LINES));
    assertBad(verify(), 1, Problem.REMOVED);
  }

  @Test
  void checkpointWithAnExtraUnsignedField_isMalformed() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    ObjectNode cp = parse(l.get(5));
    cp.put("note", "approved");
    l.set(5, encode(cp));
    write(file, l);
    assertBad(verify(), 6, Problem.MALFORMED);
  }

  @Test
  void anySingleByteChangeAnywhere_isDetected() throws IOException {
    byte[] all = Files.readAllBytes(reference);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7); // fixed seed: reproducible
    for (int i = 0; i < 400; i++) {
      byte[] m = all.clone();
      int at = rnd.nextInt(m.length);
      m[at] ^= (byte) (1 + rnd.nextInt(255));
      Files.write(file, m);
      Result r = verify();
      assertFalse(r.ok(), "byte " + at + " changed, not detected");
      assertTrue(r.badLine() >= 1 && r.reason() != null);
    }
  }

  @Test
  void duplicateJsonKeys_areMalformed() throws IOException {
    List<byte[]> l = new ArrayList<>(original);
    l.set(2, bytes(text(l.get(2)).replace("{\"seq\":3,", "{\"seq\":3,\"seq\":3,")));
    write(file, l);
    assertBad(verify(), 3, Problem.MALFORMED);
  }

  @Test
  void emptyFile_isOkWithAWarning_butNotClosed() throws IOException {
    Files.write(file, new byte[0]);
    Result r = verify();
    assertTrue(r.ok());
    assertEquals(0, r.lines());
    assertEquals(1, r.warnings().size());
    assertBad(verifyStrict(), 1, Problem.NOT_CLOSED);
  }
}
