package dev.warden.verifier.hashing;

import java.io.IOException;

/** The model tree cannot be hashed safely; {@link #kind()} names the cause. */
public final class HashingException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Why hashing refused the tree. */
  public enum Kind {
    /** A symbolic link was found and {@code allow_symlinks} is false. */
    SYMLINK_REFUSED,
    /** A symbolic link resolves outside the model tree (always refused). */
    SYMLINK_ESCAPES,
    /** A path is neither a regular file nor a directory (socket, FIFO, device, dangling link). */
    NOT_REGULAR_FILE,
    /** A file changed (size, times, inode) while it was being hashed. */
    MODIFIED_WHILE_HASHED,
    /** The model path is missing or unreadable. */
    UNREADABLE
  }

  private final Kind kind;

  public HashingException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public HashingException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
