package dev.warden.verifier.hashing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the digest of each resource together with the file's identity (device, inode, size,
 * modification and change times) so that re-verifying an unchanged tree can skip re-reading it.
 *
 * <p>Security note: stat-based skipping trusts the file system's metadata. A writer who can restore
 * mtime and ctime (ctime cannot be set by an unprivileged process on Linux) could evade it; callers
 * should therefore also re-hash fully on a schedule (the {@code ModelTrustRegistry} does). Entries whose
 * change time is within {@link ModelHasher#RACY_WINDOW_NANOS} of the moment they were hashed are never
 * stored, since a write in the same timestamp tick would be invisible.
 *
 * <p>Thread-safe.
 */
public final class StatCache {

  record Key(String name, long start, long end) {}

  record Entry(FileStamp stamp, byte[] digest) {}

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  byte[] lookup(String name, long start, long end, FileStamp stamp) {
    Entry e = entries.get(new Key(name, start, end));
    return e != null && e.stamp().equals(stamp) ? e.digest().clone() : null;
  }

  void store(String name, long start, long end, FileStamp stamp, byte[] digest) {
    entries.put(new Key(name, start, end), new Entry(stamp, digest.clone()));
  }

  /** Forgets everything: the next hash reads every byte. */
  public void clear() {
    entries.clear();
  }

  /** Number of remembered resources. */
  public int size() {
    return entries.size();
  }
}
