package dev.warden.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Checks an audit file written by {@link AuditLog}: every line's {@code seq} and {@code prev}
 * link, every checkpoint's Ed25519 signature, and what follows the last checkpoint. Stops at the
 * first problem and names its line (1-based) and cause.
 *
 * <p>The file is streamed with one line of look-ahead, so memory does not grow with its size. The
 * look-ahead names the cause more precisely: an edited line is reported at its own line (not at the
 * next line, whose {@code prev} no longer matches), two swapped lines as reordered, a forged line
 * slipped in between two genuine ones as inserted.
 *
 * <h2>Security guarantees</h2>
 * {@code ok} means: every line up to the last checkpoint is exactly as the holder of the private
 * key for {@code key} chained and signed it, in order, none missing since seq 1. Lines after the
 * last checkpoint are only hash-chained, which anyone can recompute: they are reported as a warning
 * (an "unsigned tail"), or as a failure with {@code requireFinalCheckpoint}, which also demands that
 * the file ends with the {@code final} checkpoint {@link AuditLog#close()} writes. Not guaranteed:
 * that a file cut exactly after a periodic checkpoint is complete (use
 * {@code requireFinalCheckpoint} on closed files), or anything against a holder of the signing key.
 * Record contents (tenant, route, …) are not validated, only protected.
 */
public final class AuditVerifier {
  private AuditVerifier() {}

  /** Why verification failed. */
  public enum Problem {
    /** Not a JSON object, a required field missing or of the wrong type, an incomplete last line. */
    MALFORMED,
    /** A line's bytes changed after it was written. */
    EDITED,
    /** Lines missing (a gap in {@code seq}). */
    REMOVED,
    /** Lines out of order. */
    REORDERED,
    /** A line that is not part of the chain (forged, or duplicated). */
    INSERTED,
    /** A line of another replica's chain. */
    WRONG_REPLICA,
    /** A checkpoint whose signature does not verify (or whose chain hash is not its prev). */
    BAD_SIGNATURE,
    /** A checkpoint signed by a key other than the one given. */
    UNKNOWN_KEY,
    /** Lines after the last checkpoint, with {@code requireFinalCheckpoint}. */
    UNSIGNED_TAIL,
    /** No final (close-time) checkpoint at the end, with {@code requireFinalCheckpoint}. */
    NOT_CLOSED
  }

  /** Something worth knowing that is not a failure. Line 0 means the whole file. */
  public record Warning(long line, String message) {}

  /**
   * The outcome. On failure {@code badLine} is the first bad line (1-based), {@code problem} and
   * {@code reason} say why, and the counts cover the lines before it.
   */
  public record Result(
      boolean ok,
      long lines,
      long records,
      long checkpoints,
      long droppedEvents,
      String replicaId,
      boolean finalCheckpoint,
      long badLine,
      Problem problem,
      String reason,
      List<Warning> warnings) {
    public Result {
      warnings = List.copyOf(warnings);
    }
  }

  /** Duplicate keys are refused: two parsers must never read one line two ways. */
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> CHECKPOINT_FIELDS =
      Set.of("seq", "prev", "type", "replicaId", "time", "final", "chainHash", "keyId", "sig");

  /** Verifies {@code file} against {@code key}; an unsigned tail is only a warning. */
  public static Result verify(Path file, PublicKey key) throws IOException {
    return verify(file, key, false);
  }

  /**
   * Verifies {@code file} against {@code key}.
   *
   * @param requireFinalCheckpoint fail unless the file ends with the final checkpoint written by
   *     {@link AuditLog#close()} (use for closed or rotated files)
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if {@code key} is not an Ed25519 public key
   */
  public static Result verify(Path file, PublicKey key, boolean requireFinalCheckpoint)
      throws IOException {
    Objects.requireNonNull(file, "file");
    PublicKey pub = AuditKeys.toJdkPublic(Objects.requireNonNull(key, "key"));
    try (InputStream in = Files.newInputStream(file)) {
      return new Run(new LineReader(in), pub, requireFinalCheckpoint).run();
    }
  }

  /** One line as read: its bytes' hash and, if it parses, the fields every line has. */
  private static final class Line {
    final long no;
    final byte[] bytes;
    final String hash;
    final JsonNode json;
    final String error;
    final long seq;
    final String prev;
    final String type;
    final String replicaId;

    Line(long no, byte[] bytes, boolean terminated, MessageDigest md) {
      this.no = no;
      this.bytes = bytes;
      this.hash = AuditFormat.lineHash(md, bytes, 0, bytes.length);
      JsonNode j = null;
      String err = null;
      if (bytes.length > AuditFormat.MAX_LINE_BYTES) {
        err = "line is longer than " + AuditFormat.MAX_LINE_BYTES + " bytes";
      } else if (!terminated) {
        err = "last line is incomplete (no trailing newline): torn write or truncated file";
      } else if (bytes.length == 0) {
        err = "empty line";
      } else {
        try {
          j = MAPPER.readTree(bytes);
          if (j == null || !j.isObject()) err = "not a JSON object";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          err = "malformed JSON: " + e.getOriginalMessage();
        } catch (IOException e) {
          err = "malformed JSON: " + e.getMessage();
        }
      }
      if (err == null) {
        if (!j.path("seq").canConvertToExactIntegral() || !j.get("seq").isIntegralNumber()) {
          err = "missing or non-integer field 'seq'";
        } else if (!j.path("prev").isTextual()) {
          err = "missing field 'prev'";
        } else if (!j.path("type").isTextual()) {
          err = "missing field 'type'";
        } else if (!j.path("replicaId").isTextual()) {
          err = "missing field 'replicaId'";
        }
      }
      this.error = err;
      this.json = err == null ? j : null;
      this.seq = err == null ? j.get("seq").asLong() : -1;
      this.prev = err == null ? j.get("prev").asText() : null;
      this.type = err == null ? j.get("type").asText() : null;
      this.replicaId = err == null ? j.get("replicaId").asText() : null;
    }

    boolean ok() {
      return error == null;
    }
  }

  /** Splits a stream on '\n' into lines, keeping the exact bytes. Reads in 64 KiB chunks. */
  private static final class LineReader implements Iterator<byte[]> {
    private final InputStream in;
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[4096];
    private boolean terminated;
    private boolean eof;
    private byte[] pending;

    LineReader(InputStream in) {
      this.in = in;
    }

    @Override
    public boolean hasNext() {
      if (pending == null && !eof) pending = read();
      return pending != null;
    }

    @Override
    public byte[] next() {
      hasNext();
      byte[] r = pending;
      pending = null;
      return r;
    }

    /** Whether the line last returned by {@link #next()} ended with '\n'. */
    boolean terminated() {
      return terminated;
    }

    private byte[] read() {
      try {
        int n = 0;
        boolean tooLong = false;
        while (true) {
          if (pos == limit) {
            limit = in.read(chunk);
            pos = 0;
            if (limit <= 0) {
              limit = 0;
              eof = true;
              terminated = false;
              if (n == 0 && !tooLong) return null;
              return tooLong ? new byte[AuditFormat.MAX_LINE_BYTES + 1] : Arrays.copyOf(line, n);
            }
          }
          int start = pos;
          while (pos < limit && chunk[pos] != '\n') pos++;
          int len = pos - start;
          if (!tooLong) {
            if (n + len > AuditFormat.MAX_LINE_BYTES) {
              tooLong = true; // keep scanning to the newline, keep nothing
            } else {
              if (n + len > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, n + len));
              System.arraycopy(chunk, start, line, n, len);
              n += len;
            }
          }
          if (pos < limit) { // found '\n'
            pos++;
            terminated = true;
            return tooLong ? new byte[AuditFormat.MAX_LINE_BYTES + 1] : Arrays.copyOf(line, n);
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** One verification: the state of the walk along the chain. */
  private static final class Run {
    private final LineReader reader;
    private final String keyId;
    private final boolean requireFinal;
    private final MessageDigest md = AuditFormat.sha256();
    private final Ed25519Signer verifier = new Ed25519Signer();
    private final List<Warning> warnings = new ArrayList<>();

    private long lineNo;
    private Line lookahead;
    private long records;
    private long checkpoints;
    private long droppedEvents;
    private String replica;
    private long lastCheckpointLine;
    private boolean lastCheckpointFinal;
    private long firstUnsignedLine;
    private long lastLine;

    Run(LineReader reader, PublicKey key, boolean requireFinal) {
      this.reader = reader;
      this.keyId = AuditFormat.keyId(key);
      this.requireFinal = requireFinal;
      byte[] raw = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getBytes();
      verifier.init(false, new Ed25519PublicKeyParameters(raw, 0));
    }

    private Line take() {
      if (lookahead != null) {
        Line l = lookahead;
        lookahead = null;
        return l;
      }
      return read();
    }

    private Line peek() {
      if (lookahead == null) lookahead = read();
      return lookahead;
    }

    private Line read() {
      if (!reader.hasNext()) return null;
      byte[] bytes = reader.next();
      return new Line(++lineNo, bytes, reader.terminated(), md);
    }

    private Result fail(long line, Problem p, String why) {
      return new Result(false, lastLine, records, checkpoints, droppedEvents, replica,
          false, line, p, why, warnings);
    }

    Result run() throws IOException {
      long expectedSeq = 1;
      String expectedPrev = null;
      Line before = null;
      Line cur;
      try {
        while ((cur = take()) != null) {
          if (!cur.ok()) return fail(cur.no, Problem.MALFORMED, cur.error);
          Line next = peek();
          if (replica == null) {
            try {
              replica = AuditFormat.checkReplicaId(cur.replicaId);
            } catch (IllegalArgumentException e) {
              return fail(cur.no, Problem.MALFORMED, e.getMessage());
            }
            expectedPrev = AuditFormat.genesis(replica);
          } else if (!replica.equals(cur.replicaId)) {
            return fail(cur.no, Problem.WRONG_REPLICA, "line belongs to the chain of replica '"
                + cur.replicaId + "', this file is the chain of '" + replica + "'");
          }
          Result r = checkSeq(cur, before, next, expectedSeq, expectedPrev);
          if (r == null) r = checkLink(cur, before, next, expectedPrev);
          if (r == null) r = checkBody(cur);
          if (r != null) return r;
          expectedPrev = cur.hash;
          expectedSeq++;
          before = cur;
          lastLine = cur.no;
        }
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
      return finish();
    }

    private Result checkSeq(Line cur, Line before, Line next, long expected, String expectedPrev) {
      if (cur.seq == expected) return null;
      boolean nextOk = next != null && next.ok();
      if (cur.seq > expected) {
        if (nextOk && next.seq == expected) {
          if (cur.prev.equals(next.hash)) {
            return fail(cur.no, Problem.REORDERED, "records out of order: seq " + cur.seq
                + " comes before seq " + expected + " (line " + next.no + "); lines swapped");
          }
          if (next.prev.equals(expectedPrev)) {
            return fail(cur.no, Problem.INSERTED, "line is not part of the chain: line " + next.no
                + " continues from line " + (cur.no - 1) + " (forged line inserted)");
          }
          return fail(cur.no, Problem.REORDERED,
              "records out of order: expected seq " + expected + ", found " + cur.seq);
        }
        if (expected == 1) {
          return fail(cur.no, Problem.REMOVED, "chain starts at seq " + cur.seq
              + ", not 1: " + (cur.seq - 1) + " record(s) removed from the start of the file");
        }
        return fail(cur.no, Problem.REMOVED, "seq jumps from " + (expected - 1) + " to " + cur.seq
            + ": " + (cur.seq - expected) + " record(s) removed before this line (or moved)");
      }
      // cur.seq < expected
      if (before != null && cur.seq == before.seq && cur.prev.equals(before.prev)) {
        if (Arrays.equals(cur.bytes, before.bytes)) {
          return fail(cur.no, Problem.INSERTED,
              "line repeats line " + before.no + " byte for byte (duplicated line)");
        }
        if (nextOk && next.prev.equals(cur.hash)) {
          return fail(before.no, Problem.INSERTED, "line is not part of the chain: line " + cur.no
              + " has the same seq and predecessor, and line " + next.no
              + " continues from line " + cur.no + " (forged line inserted)");
        }
        if (next == null && AuditFormat.TYPE_CHECKPOINT.equals(cur.type)
            && checkCheckpoint(cur) == null) {
          return fail(before.no, Problem.INSERTED, "line is not part of the chain: line " + cur.no
              + " has the same seq and predecessor and is a validly signed checkpoint"
              + " (forged line inserted)");
        }
        return fail(cur.no, Problem.INSERTED, "line claims seq " + cur.seq + " of line " + before.no
            + " (inserted or replayed line)");
      }
      return fail(cur.no, Problem.REORDERED, "seq " + cur.seq + " comes after seq " + (expected - 1)
          + ": records out of order (or a line was duplicated)");
    }

    private Result checkLink(Line cur, Line before, Line next, String expectedPrev) {
      if (cur.prev.equals(expectedPrev)) return null;
      if (before == null) {
        return fail(cur.no, Problem.EDITED, "first line does not link to the genesis of replica '"
            + replica + "' (its prev was edited, or the chain's first lines were removed)");
      }
      boolean nextOk = next != null && next.ok();
      if (nextOk && next.seq == cur.seq && next.prev.equals(expectedPrev)) {
        return fail(cur.no, Problem.INSERTED, "line is not part of the chain: line " + next.no
            + " has the same seq and continues from line " + before.no + " (forged line inserted)");
      }
      if (nextOk && next.seq == cur.seq + 1 && !next.prev.equals(cur.hash)) {
        return fail(cur.no, Problem.EDITED, "line was edited: its prev does not match line "
            + before.no + " and line " + next.no + "'s prev does not match it");
      }
      return fail(before.no, Problem.EDITED, "line was edited: its SHA-256 no longer matches the "
          + "prev recorded at line " + cur.no);
    }

    private Result checkBody(Line cur) {
      switch (cur.type) {
        case AuditFormat.TYPE_RECORD:
          records++;
          break;
        case AuditFormat.TYPE_LOSS: {
          JsonNode d = cur.json.path("dropped");
          if (!d.isIntegralNumber()) return fail(cur.no, Problem.MALFORMED, "loss line without 'dropped'");
          droppedEvents += d.asLong();
          warnings.add(new Warning(cur.no, d.asLong()
              + " event(s) were dropped before this line (audit queue full)"));
          break;
        }
        case AuditFormat.TYPE_CHECKPOINT: {
          Result r = checkCheckpoint(cur);
          if (r != null) return r;
          checkpoints++;
          lastCheckpointLine = cur.no;
          lastCheckpointFinal = cur.json.get("final").booleanValue();
          firstUnsignedLine = 0;
          return null;
        }
        default:
          return fail(cur.no, Problem.MALFORMED, "unknown line type '" + cur.type + "'");
      }
      if (firstUnsignedLine == 0) firstUnsignedLine = cur.no;
      return null;
    }

    private Result checkCheckpoint(Line cur) {
      JsonNode j = cur.json;
      for (Iterator<String> it = j.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!CHECKPOINT_FIELDS.contains(f)) {
          return fail(cur.no, Problem.MALFORMED, "checkpoint has an unsigned extra field '" + f + "'");
        }
      }
      for (String f : List.of("time", "chainHash", "keyId", "sig")) {
        if (!j.path(f).isTextual()) return fail(cur.no, Problem.MALFORMED, "checkpoint without '" + f + "'");
      }
      if (!j.path("final").isBoolean()) {
        return fail(cur.no, Problem.MALFORMED, "checkpoint without boolean 'final'");
      }
      String unsigned = firstUnsignedLine == 0 ? "no lines" : firstUnsignedLine == cur.no - 1
          ? "line " + firstUnsignedLine : "lines " + firstUnsignedLine + ".." + (cur.no - 1);
      String chainHash = j.get("chainHash").asText();
      if (!chainHash.equals(cur.prev)) {
        return fail(cur.no, Problem.BAD_SIGNATURE, "checkpoint chainHash differs from its prev: "
            + unsigned + " not authenticated (checkpoint edited)");
      }
      String kid = j.get("keyId").asText();
      if (!keyId.equals(kid)) {
        return fail(cur.no, Problem.UNKNOWN_KEY, "checkpoint signed by key " + kid
            + ", not by the given public key (" + keyId + ")");
      }
      byte[] sig;
      try {
        sig = Base64.getDecoder().decode(j.get("sig").asText());
      } catch (IllegalArgumentException e) {
        return fail(cur.no, Problem.MALFORMED, "checkpoint sig is not base64");
      }
      byte[] msg = AuditFormat.checkpointMessage(replica, cur.seq, cur.prev,
          j.get("time").asText(), j.get("final").booleanValue(), chainHash);
      verifier.update(msg, 0, msg.length);
      boolean good = sig.length == 64 && verifier.verifySignature(sig);
      verifier.reset();
      if (!good) {
        return fail(cur.no, Problem.BAD_SIGNATURE, "checkpoint signature does not verify: "
            + unsigned + " not authenticated (chain rewritten without the key, or checkpoint forged)");
      }
      return null;
    }

    private Result finish() {
      if (lastLine == 0) {
        if (requireFinal) return fail(1, Problem.NOT_CLOSED, "file is empty: no final checkpoint");
        warnings.add(new Warning(0, "file is empty"));
      } else if (firstUnsignedLine != 0) {
        String msg = (lastLine - firstUnsignedLine + 1) + " line(s) after the last checkpoint "
            + "(lines " + firstUnsignedLine + ".." + lastLine + ") are not signed (unsigned tail)";
        if (requireFinal) return fail(firstUnsignedLine, Problem.UNSIGNED_TAIL, msg);
        warnings.add(new Warning(firstUnsignedLine, msg));
      } else if (!lastCheckpointFinal) {
        String msg = "the last checkpoint is periodic, not the final one written at close: "
            + "the log is still open, its writer stopped uncleanly, or lines after it were cut";
        if (requireFinal) return fail(lastCheckpointLine, Problem.NOT_CLOSED, msg);
        warnings.add(new Warning(lastCheckpointLine, msg));
      }
      return new Result(true, lastLine, records, checkpoints, droppedEvents, replica,
          lastLine != 0 && firstUnsignedLine == 0 && lastCheckpointFinal, 0, null, null, warnings);
    }
  }
}
