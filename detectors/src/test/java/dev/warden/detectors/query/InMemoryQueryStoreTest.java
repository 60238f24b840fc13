package dev.warden.detectors.query;

import static org.junit.jupiter.api.Assertions.*;

import dev.warden.detectors.attack.SquareAttack;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InMemoryQueryStoreTest {
  static final FingerprintParams P = FingerprintParams.DIGITS_8X8;
  static Dataset.Split digits;

  @BeforeAll
  static void load() { digits = Recipes.digitsSplit(); }

  final AtomicLong now = new AtomicLong(1_000_000);
  final Fingerprinter fp = Fingerprinter.create(P);

  InMemoryQueryStore store(int capacity) {
    return new InMemoryQueryStore(capacity, P.hashes(), 60_000, now::get);
  }

  @Test
  void identicalInput_isFlagged_evenFromAnotherTenant() {
    InMemoryQueryStore s = store(100);
    float[] x = digits.test().row(0);
    assertFalse(s.checkAndAdd("alice", fp.fingerprint(x), P.threshold()).flagged());
    QueryStore.Match m = s.checkAndAdd("mallory", fp.fingerprint(x.clone()), P.threshold());
    assertTrue(m.flagged());
    assertTrue(m.crossTenant());
    assertEquals(fp.fingerprint(x).length, m.sharedHashes());
    assertEquals(1, s.alarms("mallory"));
    assertEquals(0, s.alarms("alice"));
  }

  @Test
  void benignDistinctDigits_areNotFlagged_atThreshold() {
    // Blacklight's target: benign FPR <= 0.1 % on distinct inputs, judged over 5 fingerprinters with fresh
    // secrets (5 x 1797 checks allow 8 flags). One fingerprinter alone allowed one flag of 1797, but its random
    // secrets flag 0 (45 %), 1 (55 %) or 2 (0.2 %) near-duplicate pairs (500 simulated secrets): that failed
    // about one CI run in 500. 9 flags from 5 secrets need four 2-flag secrets: 5 · 0.002^4 ≈ 1e-10.
    float[][] all = dev.warden.detectors.train.Datasets.digits().x();
    int flagged = 0;
    int checks = 0;
    int maxShared = 0;
    for (int k = 0; k < 5; k++) {
      Fingerprinter f = Fingerprinter.create(P);
      InMemoryQueryStore s = store(2000);
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (float[] x : all) {
        if (!seen.add(Arrays.toString(x))) continue; // exact duplicates are not "distinct"
        QueryStore.Match m = s.checkAndAdd("tenant-" + (flagged % 3), f.fingerprint(x), P.threshold());
        if (m.flagged()) flagged++;
        checks++;
        maxShared = Math.max(maxShared, m.sharedHashes());
      }
      assertEquals(seen.size(), s.size());
    }
    assertTrue(flagged <= checks / 1000, "benign flags: " + flagged + " of " + checks + ", max shared " + maxShared);
  }

  @Test
  void nesProbes_areFlaggedAtBlacklightsTarget_forSaltsAcrossTheRange_thanksToTheDenoisedView() {
    DenseNetwork model = Recipes.digitsMlp(digits.train());
    FingerprintParams rawOnly = new FingerprintParams(P.step(), P.window(), P.stride(), P.topS(), 25, P.saltRange());
    for (float salt : new float[] {0f, 0.25f, 0.49f}) {
      double both = nesFlagRate(model, Fingerprinter.withSecrets(P, salt, 11, 12), P);
      double raw = nesFlagRate(model, Fingerprinter.withSecrets(rawOnly, salt, 11, 12), rawOnly);
      // Blacklight's target: at least 90 % of attack queries flagged
      assertTrue(both >= 0.9, "salt " + salt + ": NES queries flagged " + both + " (raw view alone " + raw + ")");
      assertTrue(both > raw, "the denoised view must add detections: " + both + " vs " + raw);
    }
  }

  /** Share of the queries of 4 short NES runs (the evaluation's settings, 120 queries each) that the store flags. */
  private double nesFlagRate(DenseNetwork model, Fingerprinter f, FingerprintParams p) {
    InMemoryQueryStore s = new InMemoryQueryStore(2000, p.hashes(), 60_000, now::get);
    int[] counts = new int[2];
    for (int r = 0; r < 4; r++) {
      float[] x = digits.test().row(r * 17 + 1);
      new dev.warden.detectors.attack.NesAttack(0, 16, 1f, 0.5f, 0.25f, 20, 120).run(q -> {
        counts[0]++;
        if (s.checkAndAdd("attacker", f.fingerprint(q), p.threshold()).flagged()) counts[1]++;
        return model.forward(q);
      }, x, digits.test().label(r * 17 + 1), 300 + r);
    }
    return (double) counts[1] / counts[0];
  }

  @Test
  void squareAttack_isFlaggedWithinItsFirst20Queries() {
    DenseNetwork model = Recipes.digitsMlp(digits.train());
    InMemoryQueryStore s = store(1000);
    int detectedRuns = 0;
    int longRuns = 0;
    for (int r = 0; r < 5; r++) {
      float[] x = digits.test().row(r * 11);
      int label = digits.test().label(r * 11);
      AtomicInteger queries = new AtomicInteger();
      AtomicInteger firstFlag = new AtomicInteger(-1);
      SquareAttack attack = new SquareAttack(8, 8, 0f, 16f, 1f, 0.3, 60);
      attack.run(q -> {
        int n = queries.incrementAndGet();
        if (s.checkAndAdd("attacker", fp.fingerprint(q), P.threshold()).flagged() && firstFlag.get() < 0) firstFlag.set(n);
        return model.forward(q);
      }, x, label, 100 + r);
      if (queries.get() > 2) {
        longRuns++;
        assertTrue(firstFlag.get() > 0 && firstFlag.get() <= 20, "run " + r + " first flag at " + firstFlag.get());
        detectedRuns++;
      }
    }
    assertTrue(longRuns > 0, "the attack must need more than two queries for the test to mean anything");
    assertEquals(longRuns, detectedRuns);
    assertTrue(s.alarms("attacker") > 0);
  }

  @Test
  void entriesExpireAfterTtl_andCapacityEvictsOldest() {
    InMemoryQueryStore s = store(3);
    float[] a = digits.test().row(1);
    s.checkAndAdd("t", fp.fingerprint(a), P.threshold());
    now.addAndGet(60_001);
    assertFalse(s.checkAndAdd("t", fp.fingerprint(a), P.threshold()).flagged(), "expired entry must not match");
    assertEquals(1, s.size());
    // fill beyond capacity: a is evicted by three newer distinct images
    for (int i = 2; i < 5; i++) s.checkAndAdd("t", fp.fingerprint(digits.test().row(i * 13)), P.threshold());
    assertEquals(3, s.size());
    assertFalse(s.checkAndAdd("t", fp.fingerprint(a), P.threshold()).flagged(), "evicted entry must not match");
    long before = s.memoryBytes();
    for (int i = 0; i < 50; i++) s.checkAndAdd("t", fp.fingerprint(digits.test().row(i)), P.threshold());
    assertEquals(3, s.size());
    assertEquals(before, s.memoryBytes(), "memory is bounded");
    s.clear();
    assertEquals(0, s.size());
    assertEquals(0, s.indexedHashes(), "eviction unlinks every posting");
  }

  @Test
  void aBacklogOfExpiredEntries_neverMatches_andDrainsAFewPerCheck() {
    InMemoryQueryStore s = store(100);
    float[] a = digits.test().row(3);
    for (int i = 0; i < 60; i++) s.checkAndAdd("t", fp.fingerprint(a), P.threshold());
    now.addAndGet(60_001);
    assertFalse(s.checkAndAdd("t", fp.fingerprint(a), P.threshold()).flagged(), "expired entries must not match");
    assertTrue(s.size() > 1, "one check evicts a bounded number of expired entries, not the whole backlog: " + s.size());
    assertTrue(s.checkAndAdd("t", fp.fingerprint(a), P.threshold()).flagged(), "the fresh entry matches");
    for (int i = 0; i < 20; i++) s.checkAndAdd("t", fp.fingerprint(digits.test().row(40 + i)), P.threshold());
    assertTrue(s.size() <= 22, "the backlog drained: " + s.size());
  }

  @Test
  void indexStaysConsistent_underChurn() {
    InMemoryQueryStore s = store(7);
    InMemoryQueryStore reference = store(7);
    float[][] xs = digits.test().x();
    for (int i = 0; i < 200; i++) {
      float[] x = xs[(i * 37) % xs.length];
      QueryStore.Match m = s.checkAndAdd("t", fp.fingerprint(x), P.threshold());
      // the same stream replayed, must give identical answers (no hidden state corruption)
      QueryStore.Match r = reference.checkAndAdd("t", fp.fingerprint(x), P.threshold());
      assertEquals(r.sharedHashes(), m.sharedHashes());
    }
    s.clear();
    assertEquals(0, s.indexedHashes());
  }

  @Test
  void fingerprint_isKeyed_sorted_andBounded() {
    float[] x = digits.test().row(3);
    long[] a = Fingerprinter.withSecrets(P, 0.5f, 1, 2).fingerprint(x);
    long[] b = Fingerprinter.withSecrets(P, 0.5f, 1, 3).fingerprint(x);
    assertTrue(a.length <= P.hashes());
    for (int i = 1; i < a.length; i++) assertTrue(a[i - 1] < a[i]);
    assertFalse(Arrays.equals(a, b), "another key gives other hashes");
    assertArrayEquals(a, Fingerprinter.withSecrets(P, 0.5f, 1, 2).fingerprint(x.clone()));
    float[] big = new float[784];
    for (int i = 0; i < big.length; i++) big[i] = (i * 7919 % 256);
    int len = Fingerprinter.create(FingerprintParams.IMAGE_0_255).fingerprint(big).length;
    assertTrue(len > 30 && len <= 50, "77 windows, distinct ones kept up to S: " + len);
    assertThrows(IllegalArgumentException.class, () -> fp.fingerprint(new float[] {Float.NaN}));
    assertFalse(fp.toString().contains("salt="));
  }

  @Test
  void theDenoisedView_addsItsOwnHashes_onlyForInputsOfWholeRows() {
    float[] x = digits.test().row(5);
    FingerprintParams one = new FingerprintParams(P.step(), P.window(), P.stride(), P.topS(), 25, P.saltRange());
    long[] raw = Fingerprinter.withSecrets(one, 0.2f, 5, 6).fingerprint(x);
    long[] both = Fingerprinter.withSecrets(P, 0.2f, 5, 6).fingerprint(x);
    assertTrue(both.length > raw.length && both.length <= P.hashes(), raw.length + " vs " + both.length);
    long[] shared = Arrays.stream(both).filter(h -> Arrays.binarySearch(raw, h) >= 0).toArray();
    assertArrayEquals(raw, shared, "the raw view's hashes are kept as they are");
    float[] ragged = Arrays.copyOf(x, 60); // not a whole number of rows of 8: raw view only
    assertArrayEquals(Fingerprinter.withSecrets(one, 0.2f, 5, 6).fingerprint(ragged), Fingerprinter.withSecrets(P, 0.2f, 5, 6).fingerprint(ragged));
    float[] flat = new float[16];
    Arrays.fill(flat, 3f);
    float[] mean = Fingerprinter.boxMean3x3(flat, 4, new float[16]);
    for (float v : mean) assertEquals(3f, v, 1e-6, "the mean of a constant image is the image");
  }
}
