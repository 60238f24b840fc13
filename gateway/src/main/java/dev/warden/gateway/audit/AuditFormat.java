package dev.warden.gateway.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The on-disk format of an audit file, shared by the writer ({@link AuditLog}) and the checker
 * ({@link AuditVerifier}). One place, so the two cannot drift apart.
 *
 * <p>A file is UTF-8 JSON lines, each terminated by {@code '\n'}. Every line starts with
 * {@code seq} (1, 2, 3, … without gaps, across restarts), {@code prev} (lowercase hex SHA-256 of the
 * previous line's bytes without its newline; for line 1 the genesis hash of the replica),
 * {@code type} ({@code record}, {@code loss} or {@code checkpoint}) and {@code replicaId}.
 */
final class AuditFormat {
  private AuditFormat() {}

  /** Version tag; part of the genesis hash and of every signed message. */
  static final String VERSION = "warden-audit-v1";

  static final String TYPE_RECORD = "record";
  static final String TYPE_LOSS = "loss";
  static final String TYPE_CHECKPOINT = "checkpoint";

  /** Longest line the verifier and the reopen logic accept (a request record is ~1 KB). */
  static final int MAX_LINE_BYTES = 1 << 20;

  private static final DateTimeFormatter RFC3339_MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /**
   * RFC 3339 UTC with milliseconds, e.g. {@code 2026-01-02T03:04:05.678Z}. Hand-rolled for years
   * 0..9999 (DateTimeFormatter was a quarter of the writer's time); other years use the formatter.
   */
  static String formatTime(Instant t) {
    long epochSecond = t.getEpochSecond();
    int milli = t.getNano() / 1_000_000;
    LocalDateTime d = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
    int year = d.getYear();
    if (year < 0 || year > 9999) {
      return RFC3339_MILLIS.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
    byte[] c = new byte[24];
    put(c, 0, year, 4);
    c[4] = '-';
    put(c, 5, d.getMonthValue(), 2);
    c[7] = '-';
    put(c, 8, d.getDayOfMonth(), 2);
    c[10] = 'T';
    put(c, 11, d.getHour(), 2);
    c[13] = ':';
    put(c, 14, d.getMinute(), 2);
    c[16] = ':';
    put(c, 17, d.getSecond(), 2);
    c[19] = '.';
    put(c, 20, milli, 3);
    c[23] = 'Z';
    return new String(c, StandardCharsets.US_ASCII);
  }

  private static void put(byte[] c, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      c[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** Hex SHA-256 of one line's bytes (without the newline). */
  static String lineHash(MessageDigest md, byte[] buf, int off, int len) {
    md.reset();
    md.update(buf, off, len);
    return hex(md.digest());
  }

  /** The {@code prev} of a chain's first line: SHA-256("warden-audit-v1:" + replicaId). */
  static String genesis(String replicaId) {
    return hex(sha256().digest((VERSION + ":" + replicaId).getBytes(StandardCharsets.UTF_8)));
  }

  /** First 16 bytes of SHA-256 over the X.509 SubjectPublicKeyInfo encoding, as hex. */
  static String keyId(PublicKey key) {
    byte[] d = sha256().digest(key.getEncoded());
    return HexFormat.of().formatHex(d, 0, 16);
  }

  /**
   * The bytes an Ed25519 checkpoint signature covers: a domain tag, then every field of the
   * checkpoint line except {@code keyId} (bound by the verification key) and {@code sig}, each
   * separated by a NUL byte (no field may contain NUL: hex, digits, a replica id checked at open).
   */
  static byte[] checkpointMessage(
      String replicaId, long seq, String prev, String time, boolean fin, String chainHash) {
    String s =
        VERSION + ":checkpoint\0" + replicaId + '\0' + seq + '\0' + prev + '\0' + time + '\0'
            + (fin ? "final" : "periodic") + '\0' + chainHash;
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Replica ids name a chain; kept to a safe alphabet so they can sit in messages and file names. */
  static String checkReplicaId(String replicaId) {
    if (replicaId == null || replicaId.isEmpty() || replicaId.length() > 128) {
      throw new IllegalArgumentException("replicaId must be 1..128 characters, got: " + replicaId);
    }
    for (int i = 0; i < replicaId.length(); i++) {
      char c = replicaId.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_' || c == '.' || c == ':';
      if (!ok) {
        throw new IllegalArgumentException(
            "replicaId may only contain letters, digits and -_.: — got '" + replicaId + "'");
      }
    }
    return replicaId;
  }
}
