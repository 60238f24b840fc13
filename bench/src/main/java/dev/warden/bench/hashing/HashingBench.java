package dev.warden.bench.hashing;

import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyAuthority;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.ModelVerifier;
import dev.warden.verifier.VerifiedModel;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import dev.warden.verifier.hashing.StatCache;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * End-to-end hashing benchmark (a main-class harness, not JMH: the competitors are external processes).
 *
 * <p>Workload: a synthetic model of {@code --size-mb} (default 2100 MB) in /tmp: one file larger than a
 * 1 GB shard, four of 200 MB, twenty of 1 MB; page cache warm. Measures, best and median of {@code --reps}:
 * Warden verify (shards and files method, pool = cores), the same tree re-verified with stat-based
 * skipping, {@code openssl dgst -sha256} run with {@code xargs -P cores} over the same files and over the
 * same shards, {@code sha256sum} with {@code xargs -P cores}, and single-thread JDK SHA-256 for reference.
 * Prints JSON lines. Run via {@code bench/hashing.sh}; the dataset is deleted at the end.
 */
public final class HashingBench {
  static final long MB = 1_000_000L;
  static final long SHARD = 1_000_000_000L;

  public static void main(String[] args) throws Exception {
    long sizeMb = 2100;
    int reps = 3;
    Path dir = Path.of("/tmp/warden-hashing-bench");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size-mb" -> sizeMb = Long.parseLong(args[++i]);
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path model = dir.resolve("model");
    try {
      List<Path> files = generate(model, sizeMb);
      long bytes = 0;
      for (Path f : files) {
        bytes += Files.size(f);
      }
      age(files);
      System.err.printf(Locale.ROOT, "dataset: %d files, %.2f GB in %s; cores=%d%n", files.size(), bytes / 1e9, model, cores);
      warm(files);

      KeyPair kp = KeyGenerator.generate(EcCurve.P256);
      Path sigShards = dir.resolve("shards.sig");
      Path sigFiles = dir.resolve("files.sig");
      try (ModelHasher hasher = new ModelHasher(cores)) {
        ModelSigner signer = ModelSigner.withKey(kp.getPrivate(), hasher);
        signer.sign(model, sigShards, HashingOptions.shards(SHARD), HashProgress.NONE);
        signer.sign(model, sigFiles, HashingOptions.files(), HashProgress.NONE);
        ModelVerifier verifier = ModelVerifier.builder(new KeyAuthority(kp.getPublic())).hasher(hasher).build();

        List<String> fileArgs = files.stream().map(Path::toString).toList();
        List<String> shardArgs = new ArrayList<>();
        for (Path f : files) {
          long size = Files.size(f);
          for (long s = 0; s < size; s += SHARD) {
            shardArgs.add(f + " " + s + " " + Math.min(SHARD, size - s));
          }
        }
        String xargsP = Integer.toString(cores);
        double[] wShards = time(reps, () -> verifier.verify(model, sigShards));
        double[] wFiles = time(reps, () -> verifier.verify(model, sigFiles));
        double[] openssl = time(reps, () -> sh(fileArgs, "xargs -0 -n 1 -P " + xargsP + " openssl dgst -sha256"));
        double[] opensslShards = time(reps, () -> sh(shardArgs,
            "xargs -0 -n 1 -P " + xargsP + " sh -c 'set -- $0; dd if=\"$1\" iflag=skip_bytes,count_bytes skip=$2 count=$3"
                + " bs=4M status=none | openssl dgst -sha256'"));
        double[] sha256sum = time(reps, () -> sh(fileArgs, "xargs -0 -n 1 -P " + xargsP + " sha256sum"));
        StatCache cache = new StatCache();
        verifier.verify(model, sigShards, HashProgress.NONE, cache);
        long[] readOnIncremental = new long[1];
        double[] incremental = time(reps, () -> {
          VerifiedModel v = verifier.verify(model, sigShards, HashProgress.NONE, cache);
          readOnIncremental[0] = v.bytesRead();
          return v;
        });
        double[] single = time(reps, () -> singleThread(files.get(0)));
        long singleBytes = Files.size(files.get(0));

        emit("warden_verify_shards", bytes, wShards, cores);
        emit("warden_verify_files", bytes, wFiles, cores);
        emit("openssl_xargs_files", bytes, openssl, cores);
        emit("openssl_xargs_shards", bytes, opensslShards, cores);
        emit("sha256sum_xargs_files", bytes, sha256sum, cores);
        emit("warden_incremental_unchanged", bytes, incremental, cores);
        emit("jdk_sha256_single_thread", singleBytes, single, 1);
        System.out.printf(Locale.ROOT, "{\"name\":\"ratios\",\"warden_shards_vs_openssl_files\":%.2f,"
                + "\"warden_shards_vs_openssl_shards\":%.2f,\"warden_shards_vs_sha256sum\":%.2f,"
                + "\"incremental_bytes_read\":%d,\"incremental_speedup\":%.1f}%n",
            median(openssl) / median(wShards), median(opensslShards) / median(wShards),
            median(sha256sum) / median(wShards), readOnIncremental[0], median(wShards) / median(incremental));
      }
    } finally {
      deleteTree(dir);
    }
  }

  static List<Path> generate(Path model, long sizeMb) throws IOException {
    Files.createDirectories(model.resolve("small"));
    long big = Math.max(SHARD + 200 * MB, 0);
    long rest = sizeMb * MB - big - 20 * MB;
    long mid = Math.max(MB, rest / 4);
    List<Path> out = new ArrayList<>();
    byte[] block = new byte[8 << 20];
    new Random(42).nextBytes(block);
    out.add(write(model.resolve("model-00001.safetensors"), big, block));
    for (int i = 0; i < 4; i++) {
      out.add(write(model.resolve("model-0000" + (i + 2) + ".safetensors"), mid, block));
    }
    for (int i = 0; i < 20; i++) {
      out.add(write(model.resolve("small/tokenizer-" + i + ".json"), MB, block));
    }
    return out;
  }

  static Path write(Path p, long size, byte[] block) throws IOException {
    try (OutputStream o = Files.newOutputStream(p)) {
      long left = size;
      int rot = 0;
      while (left > 0) {
        int n = (int) Math.min(block.length - 64, left);
        o.write(block, rot++ % 64, n);
        left -= n;
      }
    }
    return p;
  }

  /** Backdate the files and wait out the racy window, so that no file is hashed twice. */
  static void age(List<Path> files) throws Exception {
    for (Path f : files) {
      Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(3600)));
    }
    Thread.sleep(ModelHasher.RACY_WINDOW_NANOS / 1_000_000 + 200);
  }

  static void warm(List<Path> files) throws IOException {
    byte[] buf = new byte[8 << 20];
    for (Path f : files) {
      try (var in = Files.newInputStream(f)) {
        while (in.read(buf) > 0) {
          // read into the page cache
        }
      }
    }
  }

  static Object sh(List<String> args, String command) throws Exception {
    Process p = new ProcessBuilder("bash", "-c", command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream o = p.getOutputStream()) {
      for (String a : args) {
        o.write(a.getBytes());
        o.write(0);
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException(command + " failed");
    }
    return null;
  }

  static Object singleThread(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[2 << 20];
    try (var ch = java.nio.channels.FileChannel.open(f)) {
      var bb = java.nio.ByteBuffer.wrap(buf);
      int n;
      while ((n = ch.read(bb.clear())) > 0) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  static double[] time(int reps, Callable<?> c) throws Exception {
    c.call(); // warm-up (JIT, page cache)
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      c.call();
      t[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(t);
    return t;
  }

  static double median(double[] sorted) {
    return sorted[sorted.length / 2];
  }

  static void emit(String name, long bytes, double[] t, int threads) {
    System.out.printf(Locale.ROOT, "{\"name\":\"%s\",\"bytes\":%d,\"threads\":%d,\"best_s\":%.3f,\"median_s\":%.3f,"
        + "\"median_GBps\":%.3f}%n", name, bytes, threads, t[0], median(t), bytes / median(t) / 1e9);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
