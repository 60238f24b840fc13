package dev.warden.detectors.digest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Input digests refused by policy: loaded from a file and changed through the admin API
 * ({@link #deny}, {@link #allow}). Each entry carries a reason for the audit record.
 *
 * <p>File format: one entry a line, {@code <64 hex digest> [reason...]}; blank lines and lines
 * starting with {@code #} are ignored. {@link #load} refuses the whole file on the first bad line
 * (naming it), so a typo never silently un-denies an input.
 *
 * <h2>Security guarantees</h2>
 * Lookups are exact on the keyed digest: an input is refused iff its digest (under the same
 * {@link DigestKey}) is listed. Not guaranteed: catching modified copies of a denied input (the
 * query-attack store and detectors do that). Rotating the digest key invalidates the list.
 * Thread-safe; reads never block.
 */
public final class DenyList {
  private final ConcurrentHashMap<InputDigest, String> entries = new ConcurrentHashMap<>();

  /** An empty list. */
  public DenyList() {}

  /**
   * Reads a deny-list file.
   *
   * @throws IOException if unreadable
   * @throws IllegalArgumentException naming the first malformed line
   */
  public static DenyList load(Path file) throws IOException {
    DenyList d = new DenyList();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) continue;
      int sp = s.indexOf(' ');
      String hex = sp < 0 ? s : s.substring(0, sp);
      String reason = sp < 0 ? "denied by policy file" : s.substring(sp + 1).strip();
      try {
        d.deny(InputDigest.fromHex(hex.toLowerCase(java.util.Locale.ROOT)), reason);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + " line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    return d;
  }

  /** Adds (or re-reasons) a denied digest. */
  public void deny(InputDigest digest, String reason) {
    entries.put(java.util.Objects.requireNonNull(digest, "digest"), reason == null ? "denied" : reason);
  }

  /** Removes a digest; returns whether it was listed. */
  public boolean allow(InputDigest digest) { return entries.remove(digest) != null; }

  /** The reason if {@code digest} is denied. */
  public Optional<String> reason(InputDigest digest) { return Optional.ofNullable(entries.get(digest)); }

  /** Whether {@code digest} is denied. */
  public boolean isDenied(InputDigest digest) { return entries.containsKey(digest); }

  /** Number of entries. */
  public int size() { return entries.size(); }

  /** A snapshot of all entries (hex digest → reason), for the admin API. */
  public Map<String, String> snapshot() {
    Map<String, String> m = new java.util.TreeMap<>();
    entries.forEach((k, v) -> m.put(k.hex(), v));
    return m;
  }

  /** Writes the list in the {@link #load} format (atomic replace). */
  public void save(Path file) throws IOException {
    StringBuilder sb = new StringBuilder("# warden deny-list: <digest> <reason>\n");
    snapshot().forEach((k, v) -> sb.append(k).append(' ').append(v.replace('\n', ' ')).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
