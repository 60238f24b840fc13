package dev.warden.verifier.registry;

import dev.warden.verifier.ModelVerifier;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.VerifiedModel;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.ModelHasher;
import dev.warden.verifier.hashing.StatCache;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's source of truth on which models may be served: verifies every registered model at start
 * and on every {@link #reload}, re-verifies a model when its files or signature change (a {@link
 * WatchService} on the model tree) and all models on a schedule, and publishes an immutable {@link
 * ModelStatus} per model.
 *
 * <h2>Security guarantees</h2>
 * A model is {@link ModelState#VERIFIED} only after {@link ModelVerifier} accepted its files against its
 * signature and required authority, and only until a change is seen: a file event flips it to {@link
 * ModelState#PENDING} at once (before re-verification), and a verification that raced with a change is
 * not published as verified. Scheduled checks skip files whose stat data is unchanged ({@link StatCache});
 * every {@code fullRehashInterval} the cache is dropped and every byte is read again, which bounds how
 * long a change that evades stat and inotify (e.g. a write on another host of a network file system) can
 * go unnoticed. Nothing stops a model server from reading a file between its change and the flip to
 * PENDING; the gate protects requests, not the loader.
 *
 * <h2>Threading</h2>
 * All checks run one at a time on a single daemon thread ({@code warden-trust-check}); hashing inside a
 * check uses the {@link ModelHasher}'s pool. File events are read on a second daemon thread ({@code
 * warden-trust-watch}), which only flips states to PENDING and schedules a debounced check. {@link
 * #status}, {@link #statuses} and {@link #ready} are lock-free reads of immutable snapshots, safe from any
 * thread (the request path). Listeners are called from those two registry threads, one call at a time.
 */
public final class ModelTrustRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ModelTrustRegistry.class.getName());

  /** Default period of the scheduled (stat-based) re-verification. */
  public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofMinutes(5);
  /** Default period of the full re-hash (every byte read again). */
  public static final Duration DEFAULT_FULL_REHASH_INTERVAL = Duration.ofHours(24);
  /** Default delay after a file event before re-verifying: coalesces a burst of writes into one check. */
  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(500);

  private final ModelHasher hasher;
  private final boolean ownHasher;
  private final Clock clock;
  private final Duration recheckInterval;
  private final Duration fullRehashInterval;
  private final Duration debounce;
  private final ScheduledExecutorService checker;
  /** Reloads submitted whose model set is not in place yet: {@link #ready()} is false meanwhile. */
  private final AtomicInteger reloadsQueued = new AtomicInteger();
  private final WatchService watchService;
  private final Thread watcher;
  private final Map<WatchKey, Path> watchedDirs = new ConcurrentHashMap<>();
  private final List<ModelStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Object notifyLock = new Object();
  private volatile Map<String, Entry> entries = Map.of();
  private volatile boolean closed;

  /** Per-model mutable bookkeeping; its status is published through a volatile field. */
  private static final class Entry {
    final ModelSpec spec;
    final StatCache cache = new StatCache();
    final AtomicLong generation = new AtomicLong();
    final Path modelAbs;
    final Path signatureAbs;
    volatile ModelStatus status;
    Instant lastFull;
    ScheduledFuture<?> pendingCheck;

    Entry(ModelSpec spec) {
      this.spec = spec;
      this.modelAbs = spec.modelPath().toAbsolutePath().normalize();
      this.signatureAbs = spec.signaturePath().toAbsolutePath().normalize();
      this.status = new ModelStatus(spec.name(), spec.version(), spec.mode(), ModelState.PENDING, null, null, null,
          "not verified yet", null, 0);
    }
  }

  private ModelTrustRegistry(Builder b) throws IOException {
    this.ownHasher = b.hasher == null;
    this.hasher = b.hasher != null ? b.hasher : new ModelHasher();
    this.clock = b.clock;
    this.recheckInterval = b.recheckInterval;
    this.fullRehashInterval = b.fullRehashInterval;
    this.debounce = b.debounce;
    this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "warden-trust-check");
      t.setDaemon(true);
      return t;
    });
    if (b.watchFiles) {
      this.watchService = FileSystems.getDefault().newWatchService();
      this.watcher = new Thread(this::watchLoop, "warden-trust-watch");
      this.watcher.setDaemon(true);
      this.watcher.start();
    } else {
      this.watchService = null;
      this.watcher = null;
    }
    if (!recheckInterval.isZero()) {
      long ms = recheckInterval.toMillis();
      checker.scheduleWithFixedDelay(this::checkAll, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** A builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private ModelHasher hasher;
    private Clock clock = Clock.systemUTC();
    private Duration recheckInterval = DEFAULT_RECHECK_INTERVAL;
    private Duration fullRehashInterval = DEFAULT_FULL_REHASH_INTERVAL;
    private Duration debounce = DEFAULT_DEBOUNCE;
    private boolean watchFiles = true;

    /** Share a hasher (its pool); by default the registry creates and closes its own. */
    public Builder hasher(ModelHasher h) {
      hasher = h;
      return this;
    }

    /** Clock for {@link ModelStatus#lastCheck()} and the full re-hash schedule. */
    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c);
      return this;
    }

    /** Period of scheduled re-verification; {@link Duration#ZERO} turns it off. */
    public Builder recheckInterval(Duration d) {
      recheckInterval = Objects.requireNonNull(d);
      return this;
    }

    /** Period after which a check re-reads every byte instead of trusting stat data. */
    public Builder fullRehashInterval(Duration d) {
      fullRehashInterval = Objects.requireNonNull(d);
      return this;
    }

    /** Delay between a file event and the re-verification it triggers. */
    public Builder debounce(Duration d) {
      debounce = Objects.requireNonNull(d);
      return this;
    }

    /** Watch model trees for changes (default true). */
    public Builder watchFiles(boolean w) {
      watchFiles = w;
      return this;
    }

    public ModelTrustRegistry build() throws IOException {
      return new ModelTrustRegistry(this);
    }
  }

  /** Adds a listener for state changes. */
  public void addListener(ModelStateListener l) {
    listeners.add(Objects.requireNonNull(l));
  }

  /**
   * Replaces the set of models (also the way to start): models whose spec is unchanged keep their state
   * while re-verified; new or changed ones start PENDING; removed ones disappear. Every model is verified.
   *
   * @return completes with all statuses when every model has been checked once
   * @throws IllegalArgumentException when two specs share a key (name and version)
   */
  public CompletableFuture<List<ModelStatus>> reload(List<ModelSpec> specs) {
    Map<String, ModelSpec> byKey = new LinkedHashMap<>();
    for (ModelSpec s : specs) {
      if (byKey.put(s.key(), s) != null) {
        throw new IllegalArgumentException("model '" + s.key() + "' is listed twice");
      }
    }
    CompletableFuture<List<ModelStatus>> done = new CompletableFuture<>();
    reloadsQueued.incrementAndGet(); // not ready until the new set is in place (it is swapped on the checker)
    checker.execute(() -> {
      boolean swapped = false;
      try {
        Map<String, Entry> old = entries;
        Map<String, Entry> next = new LinkedHashMap<>();
        List<ModelStatus[]> changes = new ArrayList<>();
        for (ModelSpec s : byKey.values()) {
          Entry prev = old.get(s.key());
          if (prev != null && prev.spec.equals(s)) {
            next.put(s.key(), prev);
          } else {
            Entry e = new Entry(s);
            next.put(s.key(), e);
            changes.add(new ModelStatus[] {prev == null ? null : prev.status, e.status});
          }
        }
        for (Map.Entry<String, Entry> o : old.entrySet()) {
          if (!next.containsKey(o.getKey())) {
            changes.add(new ModelStatus[] {o.getValue().status, null});
          }
        }
        entries = Map.copyOf(next);
        reloadsQueued.decrementAndGet();
        swapped = true;
        changes.forEach(c -> fire(c[0], c[1]));
        rewatch();
        for (Entry e : next.values()) {
          check(e, true);
        }
        done.complete(statuses());
      } catch (RuntimeException ex) {
        if (!swapped) {
          reloadsQueued.decrementAndGet();
        }
        done.completeExceptionally(ex);
      }
    });
    return done;
  }

  /** Verifies one model now (full re-hash). Completes with its new status, or null if unknown. */
  public CompletableFuture<ModelStatus> verifyNow(String name, String version) {
    return CompletableFuture.supplyAsync(() -> {
      Entry e = entries.get(ModelSpec.key(name, version));
      if (e == null) {
        return null;
      }
      check(e, true);
      return e.status;
    }, checker);
  }

  /** The status of a model, if registered. {@code version} may be null or "" for an unversioned model. */
  public Optional<ModelStatus> status(String name, String version) {
    Entry e = entries.get(ModelSpec.key(name, version));
    return e == null ? Optional.empty() : Optional.of(e.status);
  }

  /** Immutable snapshot of every model's status, ordered by key. */
  public List<ModelStatus> statuses() {
    List<ModelStatus> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      out.add(e.status);
    }
    out.sort(Comparator.comparing(ModelStatus::key));
    return List.copyOf(out);
  }

  /** Readiness: every enforce-mode model is VERIFIED. */
  public boolean ready() {
    if (reloadsQueued.get() > 0) {
      return false; // a set of models is waiting to replace the current one: not even registered yet
    }
    for (Entry e : entries.values()) {
      if (e.spec.mode() == ModelSpec.Mode.ENFORCE && e.status.state() != ModelState.VERIFIED) {
        return false;
      }
    }
    return true;
  }

  private void checkAll() {
    for (Entry e : entries.values()) {
      if (closed) {
        return;
      }
      check(e, false);
    }
  }

  /** Runs on the check thread only. */
  private void check(Entry e, boolean full) {
    if (entries.get(e.spec.key()) != e) {
      return; // removed by a reload
    }
    long generation = e.generation.get();
    Instant start = clock.instant();
    if (full || e.lastFull == null || Duration.between(e.lastFull, start).compareTo(fullRehashInterval) >= 0) {
      e.cache.clear();
      e.lastFull = start;
    }
    ModelStatus s = e.status;
    try {
      VerifiedModel v = ModelVerifier.builder(e.spec.authority().build()).ignorePaths(e.spec.ignorePaths())
          .hasher(hasher).build().verify(e.spec.modelPath(), e.spec.signaturePath(), HashProgress.NONE, e.cache);
      publish(e, generation, s.with(ModelState.VERIFIED, v.rootDigest(), v.signer().identity(), clock.instant(), null,
          null, v.bytesRead()));
    } catch (VerificationException ex) {
      e.cache.clear();
      publish(e, generation, s.with(ModelState.UNVERIFIED, null, null, clock.instant(), ex.getMessage(), ex.reason(), 0));
    } catch (RuntimeException ex) {
      LOG.log(Level.WARNING, "verification of " + e.spec.key() + " failed unexpectedly", ex);
      e.cache.clear();
      publish(e, generation, s.with(ModelState.UNVERIFIED, null, null, clock.instant(), "internal error: " + ex,
          VerificationException.Reason.IO_ERROR, 0));
    }
  }

  private void publish(Entry e, long generation, ModelStatus next) {
    ModelStatus prev;
    synchronized (e) {
      if (next.state() == ModelState.VERIFIED && e.generation.get() != generation) {
        return; // files changed during the check: stay PENDING, the debounced check follows
      }
      prev = e.status;
      e.status = next;
    }
    if (prev.state() != next.state() || !Objects.equals(prev.rootDigest(), next.rootDigest())) {
      fire(prev, next);
    }
  }

  private void fire(ModelStatus prev, ModelStatus next) {
    synchronized (notifyLock) {
      for (ModelStateListener l : listeners) {
        try {
          l.onStateChange(prev, next);
        } catch (RuntimeException ex) {
          LOG.log(Level.WARNING, "model state listener failed", ex);
        }
      }
    }
  }

  // ---- file watching -------------------------------------------------------------------------------

  /** Re-registers every watched directory (check thread). */
  private void rewatch() {
    if (watchService == null) {
      return;
    }
    for (WatchKey k : watchedDirs.keySet()) {
      k.cancel();
    }
    watchedDirs.clear();
    Set<Path> dirs = new HashSet<>();
    for (Entry e : entries.values()) {
      if (Files.isDirectory(e.modelAbs, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.walkFileTree(e.modelAbs, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              dirs.add(dir);
              return FileVisitResult.CONTINUE;
            }
          });
        } catch (IOException ex) {
          LOG.log(Level.FINE, "cannot walk " + e.modelAbs, ex);
        }
      } else if (e.modelAbs.getParent() != null) {
        dirs.add(e.modelAbs.getParent());
      }
      if (e.signatureAbs.getParent() != null) {
        dirs.add(e.signatureAbs.getParent());
      }
    }
    dirs.forEach(this::register);
  }

  private void register(Path dir) {
    try {
      WatchKey k = dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
      watchedDirs.put(k, dir);
    } catch (IOException | ClosedWatchServiceException ex) {
      LOG.log(Level.FINE, "cannot watch " + dir, ex);
    }
  }

  private void watchLoop() {
    while (!closed) {
      WatchKey key;
      try {
        key = watchService.take();
      } catch (InterruptedException | ClosedWatchServiceException ex) {
        return;
      }
      Path dir = watchedDirs.get(key);
      for (WatchEvent<?> ev : key.pollEvents()) {
        if (ev.kind() == StandardWatchEventKinds.OVERFLOW || dir == null) {
          for (Entry e : entries.values()) {
            changed(e, "file events were lost (overflow)");
          }
          continue;
        }
        Path p = dir.resolve((Path) ev.context());
        for (Entry e : entries.values()) {
          if (p.equals(e.signatureAbs) || p.equals(e.modelAbs) || p.startsWith(e.modelAbs)) {
            String what = p.startsWith(e.modelAbs) && !p.equals(e.modelAbs) ? e.modelAbs.relativize(p).toString()
                : p.getFileName().toString();
            // a new directory is watched before the re-check is scheduled: a file created in it before the
            // registration is then seen by that check, one created after by its own event
            if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && p.startsWith(e.modelAbs)
                && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
              register(p);
            }
            changed(e, "file changed: " + what);
          }
        }
      }
      key.reset();
    }
  }

  /** Watch thread: flip to PENDING now, re-verify after the debounce. */
  private void changed(Entry e, String why) {
    e.generation.incrementAndGet();
    ModelStatus prev;
    ModelStatus next;
    synchronized (e) {
      prev = e.status;
      next = prev.with(ModelState.PENDING, prev.rootDigest(), prev.signer(), prev.lastCheck(),
          why + "; re-verification pending", null, prev.bytesRead());
      e.status = next;
      if (e.pendingCheck != null) {
        e.pendingCheck.cancel(false);
      }
      if (!closed) {
        try {
          e.pendingCheck = checker.schedule(() -> check(e, false), debounce.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException ex) {
          // closing
        }
      }
    }
    if (prev.state() != ModelState.PENDING) {
      fire(prev, next);
    }
  }

  /** Stops the threads (and the hasher if the registry created it). Statuses stay readable. */
  @Override
  public void close() {
    closed = true;
    checker.shutdownNow();
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException ex) {
        LOG.log(Level.FINE, "closing watch service", ex);
      }
    }
    if (ownHasher) {
      hasher.close();
    }
  }
}
