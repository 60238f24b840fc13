package dev.warden.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AuditFormatTest {
  static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatTime_isRfc3339UtcWithMilliseconds() {
    assertEquals("1970-01-01T00:00:00.000Z", AuditFormat.formatTime(Instant.EPOCH));
    assertEquals("2026-01-02T03:04:05.678Z",
        AuditFormat.formatTime(Instant.parse("2026-01-02T03:04:05.678999Z")));
    assertEquals("1969-12-31T23:59:59.999Z", AuditFormat.formatTime(Instant.ofEpochMilli(-1)));
    assertEquals("9999-12-31T23:59:59.999Z",
        AuditFormat.formatTime(Instant.parse("9999-12-31T23:59:59.999Z")));
  }

  @Test
  void formatTime_agreesWithDateTimeFormatter() {
    SplittableRandom r = new SplittableRandom(42); // fixed seed: reproducible test input
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(r.nextLong(-62_000_000_000L, 253_402_300_799L),
          r.nextInt(1_000_000_000));
      assertEquals(REFERENCE.format(t.truncatedTo(ChronoUnit.MILLIS)), AuditFormat.formatTime(t));
    }
  }

  @Test
  void genesis_isTheSha256OfTheVersionedReplicaId() {
    assertEquals(AuditFiles.sha256Hex("warden-audit-v1:r1".getBytes(StandardCharsets.UTF_8)),
        AuditFormat.genesis("r1"));
  }

  @Test
  void checkpointMessage_isDomainSeparatedAndNulDelimited() {
    String nul = "\0";
    assertEquals(String.join(nul, "warden-audit-v1:checkpoint", "r1", "7", "aa", "t", "final", "aa"),
        new String(AuditFormat.checkpointMessage("r1", 7, "aa", "t", true, "aa"),
            StandardCharsets.UTF_8));
  }

  @Test
  void replicaIdWithSeparatorCharacters_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> AuditFormat.checkReplicaId("a\0b"));
    assertThrows(IllegalArgumentException.class, () -> AuditFormat.checkReplicaId(""));
    assertEquals("gw-1.eu:a_b", AuditFormat.checkReplicaId("gw-1.eu:a_b"));
  }
}
