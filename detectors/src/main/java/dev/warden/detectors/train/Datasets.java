package dev.warden.detectors.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Loaders for the small public data sets bundled in this module (sources in {@code data/README.md}). */
public final class Datasets {
  private static final String BASE = "/dev/warden/detectors/data/";

  /** Number of pixels of one digits image (8 x 8). */
  public static final int DIGITS_FEATURES = 64;
  /** Largest pixel value in the digits set. */
  public static final float DIGITS_MAX_PIXEL = 16f;

  private Datasets() {}

  /** The 1797 UCI 8x8 digits: 64 pixel values 0..16 per row, labels 0..9. */
  public static Dataset digits() {
    try (InputStream in = open("digits.csv.gz");
        BufferedReader r = new BufferedReader(
            new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
      return parse(r, DIGITS_FEATURES, false, "digits.csv.gz");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled digits.csv.gz", e);
    }
  }

  /** The 569 Wisconsin diagnostic breast-cancer rows: 30 real features, label 0 malignant / 1 benign. */
  public static Dataset breastCancer() {
    try (InputStream in = open("breast_cancer.csv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
      return parse(r, 30, true, "breast_cancer.csv");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled breast_cancer.csv", e);
    }
  }

  /**
   * Reads an IDX image/label file pair (the MNIST / Fashion-MNIST format, gzip-compressed when the
   * name ends in {@code .gz}): images as rows of raw pixel values (0..255), at most {@code limit} rows.
   *
   * @throws IOException if unreadable
   * @throws IllegalArgumentException if a file is not IDX (wrong magic) or the counts disagree
   */
  public static Dataset idx(java.nio.file.Path images, java.nio.file.Path labels, int limit) throws IOException {
    try (java.io.DataInputStream im = idxStream(images); java.io.DataInputStream lb = idxStream(labels)) {
      int magicI = im.readInt();
      int magicL = lb.readInt();
      if (magicI != 0x00000803) throw new IllegalArgumentException(images + " is not an IDX image file (magic " + Integer.toHexString(magicI) + ")");
      if (magicL != 0x00000801) throw new IllegalArgumentException(labels + " is not an IDX label file (magic " + Integer.toHexString(magicL) + ")");
      int n = im.readInt();
      int rows = im.readInt();
      int cols = im.readInt();
      int nl = lb.readInt();
      if (n != nl) throw new IllegalArgumentException("IDX files disagree: " + n + " images, " + nl + " labels");
      if (n < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > 1 << 20) throw new IllegalArgumentException("implausible IDX header in " + images);
      int take = Math.min(n, limit);
      float[][] x = new float[take][rows * cols];
      int[] y = new int[take];
      byte[] buf = new byte[rows * cols];
      for (int i = 0; i < take; i++) {
        im.readFully(buf);
        for (int k = 0; k < buf.length; k++) x[i][k] = buf[k] & 0xFF;
        y[i] = lb.readUnsignedByte();
      }
      return new Dataset(x, y);
    }
  }

  private static java.io.DataInputStream idxStream(java.nio.file.Path p) throws IOException {
    InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(p));
    if (p.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in);
    return new java.io.DataInputStream(in);
  }

  private static InputStream open(String name) {
    InputStream in = Datasets.class.getResourceAsStream(BASE + name);
    if (in == null) throw new IllegalStateException("bundled data set missing from class path: " + BASE + name);
    return in;
  }

  private static Dataset parse(BufferedReader r, int features, boolean header, String what) throws IOException {
    List<float[]> xs = new ArrayList<>();
    List<Integer> ys = new ArrayList<>();
    String line;
    int lineNo = 0;
    if (header) {
      r.readLine();
      lineNo++;
    }
    while ((line = r.readLine()) != null) {
      lineNo++;
      if (line.isBlank()) continue;
      String[] parts = line.split(",");
      if (parts.length != features + 1) {
        throw new IllegalStateException(what + " line " + lineNo + ": expected " + (features + 1)
            + " columns, found " + parts.length);
      }
      float[] row = new float[features];
      for (int i = 0; i < features; i++) row[i] = Float.parseFloat(parts[i]);
      xs.add(row);
      ys.add((int) Double.parseDouble(parts[features]));
    }
    return new Dataset(xs.toArray(new float[0][]), ys.stream().mapToInt(Integer::intValue).toArray());
  }
}
