package dev.warden.verifier.cli;

import dev.warden.verifier.hashing.HashProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live hashing progress on stderr: bytes hashed, throughput and time left, redrawn twice a second by a
 * daemon thread. The hashing threads only add to counters.
 */
final class Progress implements HashProgress, AutoCloseable {
  private static final long REDRAW_MS = 500;

  private final PrintWriter err;
  private final LongAdder done = new LongAdder();
  private final AtomicLong total = new AtomicLong(-1);
  private final long start = System.nanoTime();
  private final Thread drawer;
  private volatile boolean running = true;

  Progress(PrintWriter err) {
    this.err = err;
    this.drawer = new Thread(this::loop, "warden-progress");
    drawer.setDaemon(true);
    drawer.start();
  }

  @Override
  public void started(long totalBytes, int files) {
    total.set(totalBytes);
  }

  @Override
  public void hashed(String relPath, long bytes) {
    done.add(bytes);
  }

  @Override
  public void skipped(String relPath, long bytes) {
    done.add(bytes);
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(REDRAW_MS);
      } catch (InterruptedException e) {
        return;
      }
      if (running) {
        draw();
      }
    }
  }

  String line() {
    long d = done.sum();
    long t = total.get();
    double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    double rate = d / secs;
    StringBuilder sb = new StringBuilder("hashed ").append(Output.bytes(d));
    if (t > 0) {
      sb.append(" / ").append(Output.bytes(t)).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * d / t));
    }
    sb.append(String.format(Locale.ROOT, "  %s/s", Output.bytes((long) rate)));
    if (t > 0 && rate > 0 && d < t) {
      long left = (long) ((t - d) / rate);
      sb.append(String.format(Locale.ROOT, "  %d:%02d left", left / 60, left % 60));
    }
    return sb.toString();
  }

  private synchronized void draw() {
    err.print("\r" + line() + "   ");
    err.flush();
  }

  @Override
  public synchronized void close() {
    running = false;
    drawer.interrupt();
    err.print("\r" + line() + "   \n");
    err.flush();
  }
}
