package dev.warden.verifier.hashing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a model tree is cut into manifest resources: the {@code predicate.serialization} section of an
 * OpenSSF model-signing statement. Immutable.
 *
 * <p>Only {@code sha256} is supported as the hash type: it is what {@code model_signing} uses by
 * default and what the JDK accelerates with the CPU's SHA extensions.
 */
public final class HashingOptions {

  /** Serialization method: one digest per file, or one per fixed-size shard of each file. */
  public enum Method {
    FILES("files"),
    SHARDS("shards");

    private final String wireName;

    Method(String wireName) {
      this.wireName = wireName;
    }

    /** The name used in {@code predicate.serialization.method}. */
    public String wireName() {
      return wireName;
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the bad value. */
    public static Method fromWire(String name) {
      for (Method m : values()) {
        if (m.wireName.equals(name)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown serialization method '" + name + "' (files|shards)");
    }
  }

  /** The only hash type supported. */
  public static final String HASH_TYPE = "sha256";

  /** model_signing's default shard size: 1 GB (decimal). */
  public static final long DEFAULT_SHARD_SIZE = 1_000_000_000L;

  /** Paths ignored by default (model_signing ignores git metadata unless told otherwise). */
  public static final List<String> DEFAULT_IGNORES =
      List.of(".git", ".gitattributes", ".github", ".gitignore");

  private final Method method;
  private final long shardSize;
  private final boolean allowSymlinks;
  private final Set<String> ignorePaths;

  private HashingOptions(Method method, long shardSize, boolean allowSymlinks, Set<String> ignorePaths) {
    this.method = Objects.requireNonNull(method, "method");
    if (method == Method.SHARDS && shardSize <= 0) {
      throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
    }
    this.shardSize = method == Method.SHARDS ? shardSize : 0;
    this.allowSymlinks = allowSymlinks;
    this.ignorePaths = Collections.unmodifiableSet(ignorePaths);
  }

  /** Serialization by files, no symlinks, default ignores. */
  public static HashingOptions files() {
    return new HashingOptions(Method.FILES, 0, false, new LinkedHashSet<>(DEFAULT_IGNORES));
  }

  /** Serialization by shards of {@code shardSize} bytes, no symlinks, default ignores. */
  public static HashingOptions shards(long shardSize) {
    return new HashingOptions(Method.SHARDS, shardSize, false, new LinkedHashSet<>(DEFAULT_IGNORES));
  }

  /** Same options, with symlinks inside the tree allowed (never one pointing outside it). */
  public HashingOptions withAllowSymlinks(boolean allow) {
    return new HashingOptions(method, shardSize, allow, new LinkedHashSet<>(ignorePaths));
  }

  /**
   * Same options plus more ignored paths (relative to the model root, POSIX separators; a directory
   * ignores everything below it).
   *
   * @throws IllegalArgumentException for an absolute path, a {@code ..} segment or a NUL character
   */
  public HashingOptions withIgnorePaths(Collection<String> more) {
    Set<String> all = new LinkedHashSet<>(ignorePaths);
    for (String p : more) {
      String n = normalizeIgnore(p);
      if (!n.isEmpty()) {
        all.add(n);
      }
    }
    return new HashingOptions(method, shardSize, allowSymlinks, all);
  }

  /** Same options with exactly these ignored paths (no defaults added). */
  public HashingOptions withExactIgnorePaths(Collection<String> exact) {
    Set<String> all = new LinkedHashSet<>();
    for (String p : exact) {
      String n = normalizeIgnore(p);
      if (!n.isEmpty()) {
        all.add(n);
      }
    }
    return new HashingOptions(method, shardSize, allowSymlinks, all);
  }

  static String normalizeIgnore(String p) {
    if (p.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("ignore path contains a NUL character");
    }
    String s = p.replace('\\', '/');
    if (s.startsWith("/")) {
      throw new IllegalArgumentException("ignore path must be relative to the model: " + p);
    }
    List<String> parts = new ArrayList<>();
    for (String seg : s.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        throw new IllegalArgumentException("ignore path must not contain '..': " + p);
      }
      parts.add(seg);
    }
    return String.join("/", parts);
  }

  /** True if {@code relPath} (POSIX, relative) equals an ignored path or lies below one. */
  public boolean isIgnored(String relPath) {
    for (String ig : ignorePaths) {
      if (relPath.equals(ig) || relPath.startsWith(ig + "/")) {
        return true;
      }
    }
    return false;
  }

  public Method method() {
    return method;
  }

  /** Shard size in bytes, 0 for {@link Method#FILES}. */
  public long shardSize() {
    return shardSize;
  }

  public boolean allowSymlinks() {
    return allowSymlinks;
  }

  /** Ignored paths in insertion order (relative, POSIX). */
  public Set<String> ignorePaths() {
    return ignorePaths;
  }

  /** The {@code algorithm} of each resource: {@code sha256} or {@code sha256-sharded-<size>}. */
  public String resourceAlgorithm() {
    return method == Method.FILES ? HASH_TYPE : HASH_TYPE + "-sharded-" + shardSize;
  }

  @Override
  public String toString() {
    return "HashingOptions{" + method.wireName() + (method == Method.SHARDS ? " shard=" + shardSize : "")
        + ", allowSymlinks=" + allowSymlinks + ", ignore=" + ignorePaths + "}";
  }
}
