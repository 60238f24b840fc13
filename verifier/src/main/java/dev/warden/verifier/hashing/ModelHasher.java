package dev.warden.verifier.hashing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hashes a model tree (a directory or a single file) into a {@link Manifest}, in parallel.
 *
 * <h2>Design</h2>
 * SHA-256 is sequential within one message, so parallelism comes from hashing many resources at once:
 * each file (method {@code files}) or each shard (method {@code shards}) is a task on a fixed pool sized
 * to the cores. Tasks are submitted largest first (longest-processing-time scheduling), which keeps all
 * threads busy until the end when sizes are skewed. Each task reads with positional reads of
 * {@link #CHUNK_BYTES} into a per-thread heap buffer and feeds the JDK's SHA-256, whose compression loop
 * is a HotSpot intrinsic using the CPU's SHA extensions (about 1.4 GB/s per thread on this machine
 * class; Bouncy Castle's pure-Java digest is about 6x slower). Memory mapping was not chosen: a file
 * truncated while mapped raises SIGBUS, turned by the JVM into an {@link InternalError} at an arbitrary
 * point; positional reads give a clean short read instead, at the cost of one memcpy that is cheap next
 * to SHA-256.
 *
 * <h2>Safety</h2>
 * <ul>
 *   <li>The walk never follows a symlink to a directory, and a symlink to a file is hashed only when
 *       {@code allow_symlinks} is set and its real target lies inside the model's real root; anything
 *       else is refused ({@link HashingException.Kind#SYMLINK_REFUSED}, {@link
 *       HashingException.Kind#SYMLINK_ESCAPES}). Files are opened with {@code O_NOFOLLOW}.
 *   <li>Each resource's file is stat'ed (device, inode, size, mtime, ctime) before and after it is read;
 *       any difference, a short read or a grown file fails with {@link
 *       HashingException.Kind#MODIFIED_WHILE_HASHED}, never a torn digest. Because time stamps have a
 *       coarse granularity, a file changed less than {@link #RACY_WINDOW_NANOS} before it is read is
 *       "racy" (the same idea as git's racy-index check) and is read twice; differing digests fail.
 * </ul>
 *
 * <p>Thread-safety: an instance may be used by several threads at once; its pool is shared. Close it
 * to stop the pool's threads (they are daemon threads, so forgetting to close does not block exit).
 */
public final class ModelHasher implements AutoCloseable {

  /** Read size: large enough to amortise the system call, small enough to stay in L2/L3 cache. */
  public static final int CHUNK_BYTES = 2 << 20;

  /** Files whose mtime/ctime is this recent are read twice (coarse time stamps, see class doc). */
  public static final long RACY_WINDOW_NANOS = 2_000_000_000L;

  private static final AtomicInteger POOL_IDS = new AtomicInteger();

  private final ExecutorService pool;
  private final int threads;
  private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[CHUNK_BYTES]);

  /** A hasher with one thread per available processor. */
  public ModelHasher() {
    this(Runtime.getRuntime().availableProcessors());
  }

  /** A hasher with {@code threads} hashing threads. */
  public ModelHasher(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    int poolId = POOL_IDS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "warden-hash-" + poolId + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = Executors.newFixedThreadPool(threads, tf);
  }

  public int threads() {
    return threads;
  }

  /** Outcome of hashing: the manifest and what it cost. */
  public record Result(Manifest manifest, int files, long bytes, long bytesRead) {}

  /** Hashes every file of {@code model} (minus ignored paths) with {@code options}. */
  public Manifest hash(Path model, HashingOptions options) throws IOException {
    return hash(model, options, null, null, HashProgress.NONE).manifest();
  }

  /**
   * Hashes {@code model}.
   *
   * @param onlyFiles when non-null, only these relative file paths are hashed (others are listed and
   *     checked for safety but not read): used for {@code --ignore-unsigned-files}
   * @param cache when non-null, digests of files whose stat is unchanged are reused and new ones stored
   * @param progress progress sink, called concurrently
   */
  public Result hash(Path model, HashingOptions options, Set<String> onlyFiles, StatCache cache,
      HashProgress progress) throws IOException {
    Tree tree = Tree.list(model, options);
    List<Unit> units = new ArrayList<>();
    long total = 0;
    int files = 0;
    for (FileEntry f : tree.files) {
      if (onlyFiles != null && !onlyFiles.contains(f.rel)) {
        continue;
      }
      files++;
      total += f.size;
      if (options.method() == HashingOptions.Method.FILES) {
        units.add(new Unit(f, 0, f.size, f.rel));
      } else {
        for (long start = 0; start < f.size; start += options.shardSize()) {
          long end = Math.min(f.size, start + options.shardSize());
          units.add(new Unit(f, start, end, f.rel + ":" + start + ":" + end));
        }
      }
    }
    progress.started(total, files);
    AtomicLong read = new AtomicLong();
    List<Manifest.Resource> resources = runAll(units, options.resourceAlgorithm(), cache, progress, read);
    Manifest m = Manifest.ofCanonical(tree.modelName, options, resources);
    return new Result(m, files, total, read.get());
  }

  private List<Manifest.Resource> runAll(List<Unit> units, String algorithm, StatCache cache,
      HashProgress progress, AtomicLong read) throws IOException {
    List<Unit> order = new ArrayList<>(units);
    order.sort(Comparator.comparingLong((Unit u) -> u.end - u.start).reversed());
    ExecutorCompletionService<Manifest.Resource> ecs = new ExecutorCompletionService<>(pool);
    List<Future<Manifest.Resource>> futures = new ArrayList<>();
    for (Unit u : order) {
      futures.add(ecs.submit(() -> new Manifest.Resource(u.name, algorithm, hashUnit(u, cache, progress, read))));
    }
    List<Manifest.Resource> out = new ArrayList<>(units.size());
    try {
      for (int i = 0; i < futures.size(); i++) {
        out.add(ecs.take().get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException("hashing failed: " + c, c);
    } catch (CancellationException e) {
      throw new IOException("hashing cancelled", e);
    } finally {
      for (Future<?> f : futures) {
        f.cancel(true);
      }
    }
    return out;
  }

  private byte[] hashUnit(Unit u, StatCache cache, HashProgress progress, AtomicLong read) throws IOException {
    FileStamp before = FileStamp.of(u.file.open);
    if (before.size() != u.file.size) {
      throw modified(u.file.rel, "its size changed from " + u.file.size + " to " + before.size() + " bytes");
    }
    long now = nowNanos();
    boolean racy = now - before.lastChangeNanos() < RACY_WINDOW_NANOS;
    if (cache != null && !racy) {
      byte[] cached = cache.lookup(u.name, u.start, u.end, before);
      if (cached != null) {
        progress.skipped(u.file.rel, u.end - u.start);
        return cached;
      }
    }
    byte[] digest = readDigest(u, progress, read);
    if (racy) {
      byte[] again = readDigest(u, HashProgress.NONE, read); // progress counts each byte once
      if (!MessageDigest.isEqual(digest, again)) {
        throw modified(u.file.rel, "two reads gave different content");
      }
    }
    FileStamp after = FileStamp.of(u.file.open);
    if (!after.equals(before)) {
      throw modified(u.file.rel, "its size, times or inode changed during the read");
    }
    if (cache != null && !racy) {
      cache.store(u.name, u.start, u.end, before, digest);
    }
    return digest;
  }

  private byte[] readDigest(Unit u, HashProgress progress, AtomicLong read) throws IOException {
    MessageDigest md = Manifest.sha256();
    byte[] buf = buffers.get();
    ByteBuffer bb = ByteBuffer.wrap(buf);
    try (FileChannel ch = FileChannel.open(u.file.open, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long pos = u.start;
      while (pos < u.end) {
        if (Thread.interrupted()) {
          throw new IOException("hashing interrupted");
        }
        int want = (int) Math.min(buf.length, u.end - pos);
        bb.clear().limit(want);
        int n = ch.read(bb, pos);
        if (n < 0) {
          throw modified(u.file.rel, "it became shorter while being read");
        }
        md.update(buf, 0, n);
        pos += n;
        read.addAndGet(n);
        progress.hashed(u.file.rel, n);
      }
      if (u.end == u.file.size) {
        bb.clear().limit(1);
        if (ch.read(bb, u.end) > 0) {
          throw modified(u.file.rel, "it grew while being read");
        }
      }
    }
    return md.digest();
  }

  private static HashingException modified(String rel, String why) {
    return new HashingException(HashingException.Kind.MODIFIED_WHILE_HASHED,
        "file '" + rel + "' was modified while being hashed: " + why);
  }

  private static long nowNanos() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private record FileEntry(String rel, Path open, long size) {}

  private record Unit(FileEntry file, long start, long end, String name) {}

  /** The listed, checked files of a model tree. */
  private static final class Tree {
    final String modelName;
    final List<FileEntry> files = new ArrayList<>();

    private Tree(String modelName) {
      this.modelName = modelName;
    }

    static Tree list(Path model, HashingOptions options) throws IOException {
      Path root;
      try {
        root = model.toAbsolutePath().normalize().toRealPath();
      } catch (NoSuchFileException e) {
        throw new HashingException(HashingException.Kind.UNREADABLE, "model path does not exist: " + model, e);
      }
      Path name = root.getFileName();
      Tree tree = new Tree(name == null ? "/" : name.toString());
      BasicFileAttributes rootAttrs = Files.readAttributes(root, BasicFileAttributes.class);
      if (rootAttrs.isRegularFile()) {
        tree.files.add(new FileEntry(".", root, rootAttrs.size()));
        return tree;
      }
      if (!rootAttrs.isDirectory()) {
        throw new HashingException(HashingException.Kind.NOT_REGULAR_FILE,
            "model path is neither a file nor a directory: " + model);
      }
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (dir.equals(root)) {
            return FileVisitResult.CONTINUE;
          }
          return options.isIgnored(rel(root, dir)) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          String rel = rel(root, file);
          if (options.isIgnored(rel)) {
            return FileVisitResult.CONTINUE;
          }
          if (attrs.isSymbolicLink()) {
            tree.files.add(checkLink(root, file, rel, options));
          } else if (attrs.isRegularFile()) {
            tree.files.add(new FileEntry(rel, file, attrs.size()));
          } else {
            throw new HashingException(HashingException.Kind.NOT_REGULAR_FILE,
                "'" + rel + "' is not a regular file or directory (socket, FIFO or device)");
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
          throw new HashingException(HashingException.Kind.UNREADABLE,
              "cannot read '" + rel(root, file) + "': " + exc.getMessage(), exc);
        }
      });
      return tree;
    }

    private static FileEntry checkLink(Path root, Path link, String rel, HashingOptions options) throws IOException {
      if (!options.allowSymlinks()) {
        throw new HashingException(HashingException.Kind.SYMLINK_REFUSED,
            "'" + rel + "' is a symbolic link and allow_symlinks is false");
      }
      Path target;
      try {
        target = link.toRealPath();
      } catch (IOException e) {
        throw new HashingException(HashingException.Kind.NOT_REGULAR_FILE,
            "symbolic link '" + rel + "' is dangling or unreadable", e);
      }
      if (!target.startsWith(root)) {
        throw new HashingException(HashingException.Kind.SYMLINK_ESCAPES,
            "symbolic link '" + rel + "' points outside the model (to " + target + ")");
      }
      BasicFileAttributes ta = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!ta.isRegularFile()) {
        throw new HashingException(HashingException.Kind.NOT_REGULAR_FILE,
            "symbolic link '" + rel + "' does not point to a regular file");
      }
      return new FileEntry(rel, target, ta.size());
    }

    private static String rel(Path root, Path p) {
      StringBuilder sb = new StringBuilder();
      for (Path seg : root.relativize(p)) {
        if (sb.length() > 0) {
          sb.append('/');
        }
        sb.append(seg.toString());
      }
      return sb.toString();
    }
  }
}
