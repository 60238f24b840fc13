package dev.warden.verifier.hashing;

/**
 * Receives progress while a tree is hashed. Methods are called from the hashing threads, concurrently:
 * implementations must be thread-safe and fast (add to a counter; render elsewhere).
 */
public interface HashProgress {

  /** Does nothing. */
  HashProgress NONE = new HashProgress() {};

  /** Called once, before hashing starts, with the bytes and files to hash. */
  default void started(long totalBytes, int files) {}

  /** Called after each chunk read from {@code relPath}; {@code bytes} is the chunk size. */
  default void hashed(String relPath, long bytes) {}

  /** Called with the bytes of a resource whose digest was reused from a {@link StatCache}. */
  default void skipped(String relPath, long bytes) {}
}
