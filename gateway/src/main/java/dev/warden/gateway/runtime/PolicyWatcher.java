package dev.warden.gateway.runtime;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Watches a policy file or directory and calls {@code onChange} (on its own thread, never two at once)
 * when the content may have changed.
 *
 * <p>A directory is watched itself, which is what a Kubernetes ConfigMap mount needs: the kubelet
 * writes a new timestamped folder and swaps the {@code ..data} symlink, so the files' own paths never
 * see a write. A file is watched through its parent directory. Events are debounced (editors write in
 * several steps), and a slow poll of the content hash backs the watcher up on file systems where
 * inotify events do not arrive (some network and overlay mounts).
 */
public final class PolicyWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PolicyWatcher.class.getName());
  /** Quiet time before reloading after the last event: editors and kubelet write in bursts. */
  private static final long DEBOUNCE_MS = 200;
  /** Fallback poll for file systems without working change events. */
  private static final long POLL_MS = 5_000;

  private final Path target;
  private final Runnable onChange;
  private final java.util.function.Supplier<java.util.List<Path>> alsoWatched;
  private final ScheduledExecutorService exec;
  private final WatchService watch;
  private final Thread watcherThread;
  private volatile byte[] lastHash;
  private volatile java.util.concurrent.ScheduledFuture<?> pending;

  /**
   * @param alsoWatched files the current policy references (API-key hashes, JWT keys): polled too,
   *     so rotating a key file takes effect without touching the policy
   */
  public PolicyWatcher(Path target, java.util.function.Supplier<java.util.List<Path>> alsoWatched,
      Runnable onChange) throws IOException {
    this.target = target.toAbsolutePath();
    this.onChange = onChange;
    this.alsoWatched = alsoWatched;
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "warden-policy-reload");
      t.setDaemon(true);
      return t;
    });
    this.lastHash = contentHash();
    Path dir = Files.isDirectory(this.target) ? this.target : this.target.getParent();
    this.watch = FileSystems.getDefault().newWatchService();
    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
        StandardWatchEventKinds.ENTRY_DELETE);
    this.watcherThread = new Thread(this::watchLoop, "warden-policy-watch");
    watcherThread.setDaemon(true);
    watcherThread.start();
    exec.scheduleWithFixedDelay(this::pollOnce, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  private void watchLoop() {
    try {
      while (true) {
        WatchKey key = watch.take();
        key.pollEvents();
        key.reset();
        schedule();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void schedule() {
    if (pending != null) {
      pending.cancel(false);
    }
    pending = exec.schedule(this::fireIfChanged, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
  }

  private void pollOnce() {
    fireIfChanged();
  }

  private void fireIfChanged() {
    byte[] h = contentHash();
    if (!MessageDigest.isEqual(h, lastHash)) {
      lastHash = h;
      try {
        onChange.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "policy reload failed unexpectedly", e);
      }
    }
  }

  /** Hash of every regular, non-hidden file under the target (following the ..data symlink). */
  private byte[] contentHash() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      if (Files.isDirectory(target)) {
        try (var s = Files.list(target)) {
          for (Path p : s.sorted().toList()) {
            if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
              md.update(p.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
              md.update(Files.readAllBytes(p));
            }
          }
        }
      } else if (Files.isRegularFile(target)) {
        md.update(Files.readAllBytes(target));
      }
      for (Path p : alsoWatched.get()) {
        if (Files.isRegularFile(p)) {
          md.update(Files.readAllBytes(p));
        }
      }
      return md.digest();
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      return new byte[0];
    }
  }

  @Override
  public void close() {
    try {
      watch.close();
    } catch (IOException e) {
      // closing anyway
    }
    watcherThread.interrupt();
    exec.shutdownNow();
  }
}
