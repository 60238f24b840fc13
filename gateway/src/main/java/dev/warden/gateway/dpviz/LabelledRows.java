package dev.warden.gateway.dpviz;

import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Held-out labelled rows: features then one label per row.
 *
 * <p>Read from a CSV file ({@code .csv} or {@code .csv.gz}; comma-separated; the last column is the label; an
 * optional header line is recognised by a non-numeric field — the formats of
 * {@link dev.warden.detectors.train.Datasets}' digits and breast-cancer files), or from the names
 * {@code digits-test} and {@code breast-cancer-test}: the held-out parts of the project's standard splits
 * ({@link Recipes#digitsSplit()}, {@link Recipes#breastCancerSplit()}).
 *
 * @param x features, all rows the same width
 * @param labels label per row (a class index for classifiers, a number for regression)
 */
public record LabelledRows(float[][] x, double[] labels) {

  public LabelledRows {
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(labels, "labels");
    if (x.length == 0) {
      throw new IllegalArgumentException("no rows");
    }
    if (x.length != labels.length) {
      throw new IllegalArgumentException(x.length + " rows but " + labels.length + " labels");
    }
  }

  /** Number of rows. */
  public int size() {
    return x.length;
  }

  /** Number of features per row. */
  public int features() {
    return x[0].length;
  }

  /** The rows of a {@link Dataset}. */
  public static LabelledRows of(Dataset d) {
    int[] y = d.y();
    double[] labels = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      labels[i] = y[i];
    }
    return new LabelledRows(d.x(), labels);
  }

  /**
   * Loads {@code digits-test}, {@code breast-cancer-test} or a CSV file.
   *
   * @throws IllegalArgumentException naming the file and line if it cannot be parsed
   * @throws IOException if the file cannot be read
   */
  public static LabelledRows load(String source) throws IOException {
    switch (source) {
      case "digits-test":
        return of(Recipes.digitsSplit().test());
      case "breast-cancer-test":
        return of(Recipes.breastCancerSplit().test());
      default:
        return readCsv(Path.of(source));
    }
  }

  /** Reads a CSV file (see the class comment for the format). */
  public static LabelledRows readCsv(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no such file: " + file);
    }
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      List<float[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      int width = -1;
      int lineNo = 0;
      String line;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.split(",", -1);
        if (parts.length < 2) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": need features and a label, found "
              + parts.length + " column");
        }
        if (xs.isEmpty() && width < 0 && !numeric(parts)) {
          width = parts.length; // header
          continue;
        }
        if (width < 0) {
          width = parts.length;
        }
        if (parts.length != width) {
          throw new IllegalArgumentException(file + " line " + lineNo + ": expected " + width + " columns, found "
              + parts.length);
        }
        float[] row = new float[width - 1];
        for (int i = 0; i < row.length; i++) {
          row[i] = (float) parse(parts[i], file, lineNo, i + 1);
        }
        xs.add(row);
        ys.add(parse(parts[width - 1], file, lineNo, width));
      }
      if (xs.isEmpty()) {
        throw new IllegalArgumentException(file + ": no data rows");
      }
      double[] labels = ys.stream().mapToDouble(Double::doubleValue).toArray();
      return new LabelledRows(xs.toArray(new float[0][]), labels);
    }
  }

  private static boolean numeric(String[] parts) {
    for (String p : parts) {
      try {
        Double.parseDouble(p.strip());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }

  private static double parse(String s, Path file, int line, int column) {
    try {
      double v = Double.parseDouble(s.strip());
      if (!Double.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + " line " + line + " column " + column + ": not a finite number: '"
          + s + "'");
    }
  }
}
