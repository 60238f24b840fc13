package dev.warden.crypto.secagg;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk state of one round: {@code round.bin} (written once, atomically: temp file, fsync, rename)
 * and {@code journal.log}, an append-only, hash-chained list of what the server accepted. Every append is
 * fsync'd before the caller acknowledges the client. On open, a torn last record (crash mid-append) is cut
 * off; any other damage (bad hash, bad framing) refuses to load the round.
 *
 * <pre>
 * record = u8 type ‖ u64 timeMillis ‖ u32 len ‖ payload ‖ chain[32]
 *   chain = SHA-256(previous chain ‖ type ‖ timeMillis ‖ len ‖ payload); the first previous chain is SHA-256(round.bin)
 *   type 1 MESSAGE: payload = u8 phase ‖ signed message bytes
 *   type 2 CLOSE:   payload = u8 phase (the open phase closed at timeMillis)
 *   type 3 FAIL:    payload = UTF-8 reason
 * </pre>
 */
final class RoundJournal implements AutoCloseable {
  static final String HEADER_FILE = "round.bin";
  static final String JOURNAL_FILE = "journal.log";
  static final int MESSAGE = 1;
  static final int CLOSE = 2;
  static final int FAIL = 3;
  private static final int MAX_RECORD = (1 << 30);

  record Entry(int type, long timeMillis, byte[] payload) {}

  private final FileChannel ch;
  private byte[] chain;

  private RoundJournal(FileChannel ch, byte[] chain) {
    this.ch = ch;
    this.chain = chain;
  }

  /** Creates a round directory with its header; fails if it exists. */
  static RoundJournal create(Path dir, byte[] header) throws IOException {
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".new-");
    try (FileChannel h = FileChannel.open(tmp.resolve(HEADER_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      h.write(ByteBuffer.wrap(header));
      h.force(true);
    }
    Files.createFile(tmp.resolve(JOURNAL_FILE));
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    fsyncDir(dir.getParent());
    FileChannel ch = FileChannel.open(dir.resolve(JOURNAL_FILE), StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return new RoundJournal(ch, Primitives.sha256(header));
  }

  static byte[] readHeader(Path dir) throws IOException {
    return Files.readAllBytes(dir.resolve(HEADER_FILE));
  }

  /** Reads all intact records (cutting a torn tail) and opens the journal for appending. */
  static RoundJournal open(Path dir, byte[] header, List<Entry> out) throws IOException {
    Path file = dir.resolve(JOURNAL_FILE);
    byte[] all = Files.readAllBytes(file);
    byte[] chain = Primitives.sha256(header);
    int pos = 0;
    while (pos < all.length) {
      if (all.length - pos < 13) break; // torn header
      ByteBuffer bb = ByteBuffer.wrap(all, pos, 13);
      int type = bb.get() & 0xff;
      long time = bb.getLong();
      int len = bb.getInt();
      if (len < 0 || len > MAX_RECORD || type < MESSAGE || type > FAIL) {
        throw new IOException("journal " + file + " is damaged at byte " + pos + " (bad record header)");
      }
      if (all.length - pos < 13L + len + 32) break; // torn body
      byte[] payload = java.util.Arrays.copyOfRange(all, pos + 13, pos + 13 + len);
      byte[] expect = link(chain, java.util.Arrays.copyOfRange(all, pos, pos + 13), payload);
      byte[] got = java.util.Arrays.copyOfRange(all, pos + 13 + len, pos + 13 + len + 32);
      if (!Primitives.ctEquals(expect, got)) throw new IOException("journal " + file + " is damaged at byte " + pos + " (hash chain broken)");
      chain = expect;
      out.add(new Entry(type, time, payload));
      pos += 13 + len + 32;
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    if (pos < all.length) {
      ch.truncate(pos);
      ch.force(true);
    }
    ch.position(pos);
    return new RoundJournal(ch, chain);
  }

  private static byte[] link(byte[] prev, byte[] head, byte[] payload) {
    return Primitives.sha256(prev, head, payload);
  }

  synchronized void append(int type, long timeMillis, byte[] payload) throws IOException {
    byte[] head = ByteBuffer.allocate(13).put((byte) type).putLong(timeMillis).putInt(payload.length).array();
    byte[] next = link(chain, head, payload);
    ByteBuffer rec = ByteBuffer.allocate(13 + payload.length + 32).put(head).put(payload).put(next);
    rec.flip();
    while (rec.hasRemaining()) ch.write(rec);
    ch.force(false);
    chain = next;
  }

  static List<Path> roundDirs(Path root) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (!Files.isDirectory(root)) return dirs;
    try (var s = Files.list(root)) {
      s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).sorted().forEach(dirs::add);
    }
    return dirs;
  }

  private static void fsyncDir(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException ignored) {
      // not supported on every file system; the rename itself is atomic
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
