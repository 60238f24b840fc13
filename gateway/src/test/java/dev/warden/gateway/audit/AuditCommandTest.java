package dev.warden.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AuditCommandTest {
  @TempDir Path dir;
  Path log;
  Path priv;
  Path pub;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void keysAndLog() throws IOException {
    priv = dir.resolve("audit.pem");
    pub = dir.resolve("audit.pub.pem");
    assertEquals(0, run("keygen", "--out-private", priv.toString(), "--out-public", pub.toString()),
        err.toString());
    KeyPair kp = new KeyPair(AuditKeys.readPublicKey(pub), AuditKeys.readPrivateKey(priv));
    log = dir.resolve("audit.jsonl");
    AuditFiles.writeLog(log, kp, 8, 3);
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
  }

  int run(String... args) {
    CommandLine cl = new CommandLine(new AuditCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void verify_cleanLog_exitsZero() {
    assertEquals(0, run("verify", log.toString(), "--public-key", pub.toString()), err.toString());
    assertTrue(out.toString().contains("OK: 8 records"), out.toString());
  }

  @Test
  void verify_editedLog_exitsOne_andNamesFileAndFirstBadLine() throws IOException {
    List<byte[]> l = new ArrayList<>(AuditFiles.lines(log));
    l.set(1, AuditFiles.bytes(AuditFiles.text(l.get(1)).replace("\"status\":200", "\"status\":201")));
    AuditFiles.write(log, l);
    assertEquals(1, run("verify", log.toString(), "--public-key", pub.toString()));
    assertTrue(err.toString().startsWith(log + ":2: line was edited"), err.toString());
  }

  @Test
  void verify_truncatedLog_exitsOneOnlyWhenTheFinalCheckpointIsRequired() throws IOException {
    List<byte[]> l = AuditFiles.lines(log);
    AuditFiles.write(log, l.subList(0, l.size() - 2));
    assertEquals(0, run("verify", log.toString(), "--public-key", pub.toString()));
    assertTrue(err.toString().contains("warning: "), err.toString());
    assertEquals(1, run("verify", log.toString(), "--public-key", pub.toString(),
        "--require-final-checkpoint"));
  }

  @Test
  void verify_json_printsOneMachineReadableObject() throws IOException {
    List<byte[]> l = new ArrayList<>(AuditFiles.lines(log));
    java.util.Collections.swap(l, 4, 5);
    AuditFiles.write(log, l);
    assertEquals(1, run("verify", log.toString(), "--public-key", pub.toString(), "--json"));
    JsonNode j = AuditFiles.JSON.readTree(out.toString());
    assertEquals(false, j.get("ok").asBoolean());
    assertEquals(5, j.get("line").asInt());
    assertEquals("REORDERED", j.get("problem").asText());
    assertEquals(log.toString(), j.get("file").asText());
  }

  @Test
  void verify_withoutPublicKey_isAUsageError() {
    assertEquals(2, run("verify", log.toString()));
    assertTrue(err.toString().contains("--public-key"), err.toString());
  }

  @Test
  void verify_missingFile_exitsTwo() {
    assertEquals(2, run("verify", dir.resolve("nope.jsonl").toString(), "--public-key", pub.toString()));
    assertTrue(err.toString().contains("nope.jsonl"));
  }

  @Test
  void verify_withAPrivateKeyAsPublicKey_exitsTwo() {
    assertEquals(2, run("verify", log.toString(), "--public-key", priv.toString()));
    assertTrue(err.toString().contains("PUBLIC KEY"), err.toString());
  }

  @Test
  void verify_withAnotherKey_exitsOne() throws IOException {
    Path other = dir.resolve("other.pub.pem");
    AuditKeys.writePublicKey(other, AuditKeys.generate().getPublic());
    assertEquals(1, run("verify", log.toString(), "--public-key", other.toString()));
    assertTrue(err.toString().startsWith(log + ":4: checkpoint signed by key"), err.toString());
  }

  @Test
  void keygen_writesAnOwnerOnlyPrivateKey_andRefusesToOverwrite() throws IOException {
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
    }
    byte[] before = Files.readAllBytes(priv);
    assertEquals(2, run("keygen", "--out-private", priv.toString(),
        "--out-public", dir.resolve("new.pub.pem").toString()));
    assertTrue(err.toString().contains("already exists"));
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(priv)));
    assertTrue(Files.notExists(dir.resolve("new.pub.pem")));
  }

  @Test
  void auditAlone_printsUsageAndExitsTwo() {
    assertEquals(2, run());
    assertTrue(err.toString().contains("verify") && err.toString().contains("keygen"));
  }

  @Test
  void unknownOption_isAUsageError() {
    assertEquals(2, run("verify", log.toString(), "--public-key", pub.toString(), "--bogus"));
  }
}
