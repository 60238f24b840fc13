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
