package dev.warden.detectors.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A labelled data set held in memory: rows {@code x[i]} (all the same width) and class labels
 * {@code y[i]} in {@code 0..numClasses-1}. Immutable by convention: the arrays are copied in and
 * {@link #x()} / {@link #y()} return copies; {@link #row(int)} returns a copy of one row.
 */
public final class Dataset {
  private final float[][] x;
  private final int[] y;
  private final int numClasses;

  /**
   * @throws IllegalArgumentException if the arrays are empty, ragged, of different lengths, or a
   *     label is negative
   */
  public Dataset(float[][] x, int[] y) {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
    if (x.length == 0) throw new IllegalArgumentException("dataset is empty");
    if (x.length != y.length) {
      throw new IllegalArgumentException("x has " + x.length + " rows but y has " + y.length + " labels");
    }
    int width = x[0].length;
    int maxLabel = 0;
    this.x = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (x[i].length != width) {
        throw new IllegalArgumentException("row " + i + " has " + x[i].length + " values, expected " + width);
      }
      if (y[i] < 0) throw new IllegalArgumentException("row " + i + " has negative label " + y[i]);
      this.x[i] = x[i].clone();
      maxLabel = Math.max(maxLabel, y[i]);
    }
    this.y = y.clone();
    this.numClasses = maxLabel + 1;
  }

  private Dataset(float[][] x, int[] y, int numClasses, boolean trusted) {
    this.x = x;
    this.y = y;
    this.numClasses = numClasses;
  }

  /** Number of rows. */
  public int size() { return x.length; }

  /** Width of every row. */
  public int features() { return x[0].length; }

  /** Number of classes (largest label + 1 of the data set this one was split from). */
  public int numClasses() { return numClasses; }

  /** A copy of all rows. */
  public float[][] x() {
    float[][] out = new float[x.length][];
    for (int i = 0; i < x.length; i++) out[i] = x[i].clone();
    return out;
  }

  /** A copy of the labels. */
  public int[] y() { return y.clone(); }

  /** A copy of row {@code i}. */
  public float[] row(int i) { return x[i].clone(); }

  /** The label of row {@code i}. */
  public int label(int i) { return y[i]; }

  /** Labels as one-hot rows of width {@link #numClasses()}. */
  public float[][] oneHot() {
    float[][] t = new float[y.length][numClasses];
    for (int i = 0; i < y.length; i++) t[i][y[i]] = 1f;
    return t;
  }

  /** Rows whose label is {@code label}. */
  public Dataset onlyLabel(int label) {
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < y.length; i++) if (y[i] == label) keep.add(i);
    if (keep.isEmpty()) throw new IllegalArgumentException("no row has label " + label);
    return subset(keep.stream().mapToInt(Integer::intValue).toArray());
  }

  private Dataset subset(int[] idx) {
    float[][] sx = new float[idx.length][];
    int[] sy = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      sx[i] = x[idx[i]].clone();
      sy[i] = y[idx[i]];
    }
    return new Dataset(sx, sy, numClasses, true);
  }

  /** A train and a test part of one data set. */
  public record Split(Dataset train, Dataset test) {}

  /**
   * Deterministic stratified split: within each class the rows are shuffled with a PRNG seeded by
   * {@code seed} (a seeded {@link SplittableRandom}: reproducibility of experiments, not security),
   * and {@code round(testFraction * classCount)} of them (at least one when the class has two or
   * more rows) go to the test part. Row order inside each part follows the original order.
   *
   * @throws IllegalArgumentException unless {@code 0 < testFraction < 1}
   */
  public Split stratifiedSplit(double testFraction, long seed) {
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    boolean[] isTest = new boolean[y.length];
    for (int c = 0; c < numClasses; c++) {
      int[] members = indicesOf(c);
      if (members.length == 0) continue;
      shuffle(members, rnd);
      int nTest = (int) Math.round(testFraction * members.length);
      if (nTest == 0 && members.length >= 2) nTest = 1;
      if (nTest == members.length) nTest = members.length - 1;
      for (int k = 0; k < nTest; k++) isTest[members[k]] = true;
    }
    int[] tr = new int[y.length];
    int[] te = new int[y.length];
    int ntr = 0;
    int nte = 0;
    for (int i = 0; i < y.length; i++) {
      if (isTest[i]) te[nte++] = i; else tr[ntr++] = i;
    }
    return new Split(subset(Arrays.copyOf(tr, ntr)), subset(Arrays.copyOf(te, nte)));
  }

  private int[] indicesOf(int label) {
    int n = 0;
    for (int v : y) if (v == label) n++;
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < y.length; i++) if (y[i] == label) out[k++] = i;
    return out;
  }

  static void shuffle(int[] a, SplittableRandom rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  @Override
  public String toString() {
    return "Dataset[rows=" + x.length + ", features=" + features() + ", classes=" + numClasses + "]";
  }
}
