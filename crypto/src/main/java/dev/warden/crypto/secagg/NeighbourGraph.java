package dev.warden.crypto.secagg;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who shares with and masks against whom. Clients are numbered 1..n. The complete graph links everyone;
 * the sparse graph is a Harary graph H(k, n) (each client linked to the k/2 nearest on each side of a ring,
 * k-regular and k-connected) laid over a pseudo-random permutation of the clients derived from the round's
 * public graph seed, so everyone computes the same graph and neighbourhoods are not predictable before
 * the seed is drawn. Immutable and safe to share between threads.
 */
public final class NeighbourGraph {
  private final int n;
  private final int[][] neighbours; // index 1..n, sorted ascending, without self

  private NeighbourGraph(int n, int[][] neighbours) {
    this.n = n;
    this.neighbours = neighbours;
  }

  public static NeighbourGraph complete(int n) {
    int[][] nb = new int[n + 1][];
    for (int i = 1; i <= n; i++) {
      int[] a = new int[n - 1];
      for (int j = 1, o = 0; j <= n; j++) if (j != i) a[o++] = j;
      nb[i] = a;
    }
    return new NeighbourGraph(n, nb);
  }

  /** H(k, n) over the permutation derived from {@code seed} (32 bytes); k even, 2 ≤ k &lt; n − 1. */
  public static NeighbourGraph harary(int n, int k, byte[] seed) {
    if (k % 2 != 0 || k < 2 || k >= n - 1) throw new IllegalArgumentException("Harary degree must be even and in [2, n-2]");
    int[] perm = permutation(n, seed); // perm[pos] = client
    int[] pos = new int[n + 1];
    for (int p = 0; p < n; p++) pos[perm[p]] = p;
    int[][] nb = new int[n + 1][];
    for (int i = 1; i <= n; i++) {
      int[] a = new int[k];
      int o = 0;
      for (int d = 1; d <= k / 2; d++) {
        a[o++] = perm[Math.floorMod(pos[i] + d, n)];
        a[o++] = perm[Math.floorMod(pos[i] - d, n)];
      }
      Arrays.sort(a);
      nb[i] = a;
    }
    return new NeighbourGraph(n, nb);
  }

  static NeighbourGraph of(RoundConfig cfg) {
    ThresholdParameters tp = cfg.thresholdParameters();
    return tp.completeGraph() ? complete(cfg.cohortSize()) : harary(cfg.cohortSize(), tp.degree(), cfg.graphSeed());
  }

  /** Fisher–Yates over 1..n driven by AES-256-CTR keyed with SHA-256(label ‖ seed), rejection-sampled. */
  private static int[] permutation(int n, byte[] seed) {
    try {
      byte[] key = Primitives.sha256("warden-secagg-v1/graph".getBytes(StandardCharsets.US_ASCII), seed);
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
      int[] a = new int[n];
      for (int i = 0; i < n; i++) a[i] = i + 1;
      byte[] buf = new byte[4];
      for (int i = n - 1; i > 0; i--) {
        long bound = i + 1L;
        long limit = (1L << 32) - ((1L << 32) % bound);
        long r;
        do {
          c.update(new byte[4], 0, 4, buf, 0);
          r = ((buf[0] & 0xffL) << 24) | ((buf[1] & 0xffL) << 16) | ((buf[2] & 0xffL) << 8) | (buf[3] & 0xffL);
        } while (r >= limit);
        int j = (int) (r % bound);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR unavailable", e);
    }
  }

  public int size() {
    return n;
  }

  /** Sorted neighbours of client {@code i} (1-based), without i itself. */
  public int[] neighbours(int i) {
    return neighbours[i].clone();
  }

  int[] neighboursUnsafe(int i) {
    return neighbours[i];
  }

  public boolean adjacent(int i, int j) {
    return i != j && Arrays.binarySearch(neighbours[i], j) >= 0;
  }
}
