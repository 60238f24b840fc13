package dev.warden.gateway.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test helpers: write a real signed log, and tamper with a file's lines byte for byte. */
final class AuditFiles {
  private AuditFiles() {}

  static final ObjectMapper JSON = new ObjectMapper();

  static AuditEvent event(int i) {
    return AuditEvent.builder()
        .time(Instant.parse("2026-01-02T03:04:05.678Z").plusMillis(i))
        .requestId("req-" + i)
        .tenant("acme")
        .route("digits-route")
        .protocol("oip")
        .model("digits")
        .modelVersion("1")
        .modelDigest("sha256:" + "ab".repeat(32))
        .inputDigest("hmac-sha256:" + "cd".repeat(32))
        .compute("plain")
        .stage("tenant", "allow", "api-key")
        .stage("route", "allow", null)
        .status(200)
        .latencyMs(1.25 + i)
        .build();
  }

  /** Writes {@code n} records with a checkpoint every {@code every} and closes the log. */
  static void writeLog(Path file, KeyPair kp, int n, int every) throws IOException {
    try (AuditLog log = AuditLog.open(file, kp.getPrivate(), every, "replica-1")) {
      for (int i = 0; i < n; i++) {
        if (!log.append(event(i))) throw new AssertionError("append refused");
      }
    }
  }

  /** The file's lines as exact bytes, without newlines. */
  static List<byte[]> lines(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        byte[] l = new byte[i - start];
        System.arraycopy(all, start, l, 0, l.length);
        out.add(l);
        start = i + 1;
      }
    }
    if (start != all.length) throw new AssertionError("file does not end with a newline");
    return out;
  }

  static void write(Path file, List<byte[]> lines) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] l : lines) {
      b.write(l);
      b.write('\n');
    }
    Files.write(file, b.toByteArray());
  }

  static String text(byte[] line) {
    return new String(line, StandardCharsets.UTF_8);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static ObjectNode parse(byte[] line) throws IOException {
    return (ObjectNode) JSON.readTree(line);
  }

  static byte[] encode(ObjectNode n) throws IOException {
    return JSON.writeValueAsBytes(n);
  }

  static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * What an attacker without the key can do: renumber {@code seq} from 1 and recompute every
   * {@code prev} (and {@code chainHash}) so the hash chain is consistent again.
   */
  static List<byte[]> rechain(List<byte[]> lines) throws IOException {
    List<byte[]> out = new ArrayList<>();
    String prev = sha256Hex(bytes("warden-audit-v1:" + parse(lines.get(0)).get("replicaId").asText()));
    long seq = 1;
    for (byte[] l : lines) {
      ObjectNode n = parse(l);
      n.put("seq", seq++);
      n.put("prev", prev);
      if (n.has("chainHash")) n.put("chainHash", prev);
      byte[] b = encode(n);
      out.add(b);
      prev = sha256Hex(b);
    }
    return out;
  }
}
