package dev.warden.gateway.dpviz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Writes a {@link TradeoffEvaluator.Result} as {@code results.csv}, {@code tradeoff.png} (JFreeChart) and
 * {@code tradeoff.svg} (hand-written SVG of the same chart: JFreeChart has no SVG export of its own).
 * The chart: per-query ε on a log axis; the model's score (mean ± one standard deviation over the repetitions,
 * error bars) on the left axis with the plain score as a dashed line; the maximum membership-attack accuracy
 * e^ε/(1+e^ε) on the right axis; under each point the number of queries the budget allows.
 */
public final class TradeoffReport {
  /** Chart size in pixels (PNG) and user units (SVG). */
  static final int WIDTH = 960;
  static final int HEIGHT = 600;
  private static final Color SCORE = new Color(0x1f, 0x77, 0xb4);
  private static final Color ATTACK = new Color(0xd6, 0x27, 0x28);
  private static final Color PLAIN = new Color(0x55, 0x55, 0x55);

  private TradeoffReport() {}

  /** Writes results.csv, tradeoff.png and tradeoff.svg into {@code dir} (created if needed). */
  public static void writeAll(TradeoffEvaluator.Result r, String modelName, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("results.csv"), csv(r), StandardCharsets.UTF_8);
    writePng(r, modelName, dir.resolve("tradeoff.png"));
    Files.writeString(dir.resolve("tradeoff.svg"), svg(r, modelName), StandardCharsets.UTF_8);
  }

  /** What the ε of each row means, in one sentence (also printed by the command). */
  public static String calibrationNote(TradeoffEvaluator.Result r) {
    ReleaseSpec s = r.spec();
    switch (s.mechanism()) {
      case GAUSSIAN:
        return s.calibration() == ReleaseSpec.GaussianCalibration.ZCDP_AT_DELTA
            ? "gaussian: rho = largest rho-zCDP that is (epsilon, delta)-DP at delta = " + num(r.settings().delta())
                + " (improved conversion, Zcdp.rhoCapImproved)"
            : "gaussian: rho = epsilon^2/2 (the gateway's epsilonPerQuery mapping); each query is then only "
                + "(epsilon_at_delta, delta)-DP, see that column";
      case LAPLACE:
        return "laplace: pure epsilon-DP per query, charged rho = epsilon^2/2";
      default:
        return "noisy-max (exponential mechanism, label only): pure epsilon-DP per query, charged rho = epsilon^2/2";
    }
  }

  /** The CSV text: a header and one line per ε. */
  public static String csv(TradeoffEvaluator.Result r) {
    StringBuilder b = new StringBuilder();
    b.append("mechanism,output_kind,calibration,epsilon,delta,rho_per_query,noise_scale,repetitions,metric,"
        + "mean,std,min,max,plain,attack_accuracy_max,epsilon_at_delta,attack_accuracy_bound_at_delta,"
        + "budget_epsilon,budget_delta,queries_allowed,rows\n");
    ReleaseSpec s = r.spec();
    String calibration = s.mechanism() == ReleaseSpec.Mechanism.GAUSSIAN ? s.calibration().cliName() : "pure";
    for (TradeoffEvaluator.Point p : r.points()) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double v : p.scores()) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      b.append(String.join(",", s.mechanism().policyName(), s.outputKind().policyName(), calibration,
          num(p.epsilon()), num(r.settings().delta()), num(p.rho()),
          Double.isNaN(p.noiseScale()) ? "" : num(p.noiseScale()), Integer.toString(p.scores().length),
          r.metric(), num(p.mean()), num(p.std()), num(min), num(max), num(r.plainScore()),
          num(p.attackAccuracy()), num(p.epsilonAtDelta()), num(p.attackBoundAtDelta()),
          num(r.settings().budgetEpsilon()), num(r.settings().delta()), Long.toString(p.queriesAllowed()),
          Integer.toString(r.rows())));
      b.append('\n');
    }
    return b.toString();
  }

  /** A number with at most 6 significant digits, without trailing zeros ("1", "0.024355", "1E-7"). */
  static String num(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v == 0 ? "0" : Double.toString(v);
    }
    java.math.BigDecimal b = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros();
    return Math.abs(v) >= 1e-4 && Math.abs(v) < 1e7 ? b.toPlainString() : b.toString();
  }

  private static String title(TradeoffEvaluator.Result r, String modelName) {
    return modelName + ": " + r.spec().mechanism().policyName() + " on " + r.spec().outputKind().policyName()
        + ", " + r.rows() + " held-out rows, " + r.settings().repetitions() + " repetitions";
  }

  private static String subtitle(TradeoffEvaluator.Result r) {
    return "q = queries a budget (ε=" + num(r.settings().budgetEpsilon()) + ", δ=" + num(r.settings().delta())
        + ") allows at that per-query ε; " + calibrationShort(r);
  }

  private static String calibrationShort(TradeoffEvaluator.Result r) {
    ReleaseSpec s = r.spec();
    if (s.mechanism() != ReleaseSpec.Mechanism.GAUSSIAN) {
      return "pure ε-DP per query";
    }
    return s.calibration() == ReleaseSpec.GaussianCalibration.ZCDP_AT_DELTA
        ? "Gaussian ρ chosen so each query is (ε, δ)-DP" : "Gaussian ρ = ε²/2";
  }

  private static String scoreLabel(TradeoffEvaluator.Result r) {
    return r.metric().equals("accuracy") ? "model accuracy (mean ± std)" : "mean absolute error (mean ± std)";
  }

  private static final String ATTACK_LABEL = "max membership-attack accuracy e^ε/(1+e^ε)";

  /** The PNG via JFreeChart (headless). */
  static void writePng(TradeoffEvaluator.Result r, String modelName, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    YIntervalSeries score = new YIntervalSeries(scoreLabel(r));
    XYSeries attack = new XYSeries(ATTACK_LABEL);
    double minEps = Double.POSITIVE_INFINITY;
    double maxEps = 0;
    for (TradeoffEvaluator.Point p : r.points()) {
      score.add(p.epsilon(), p.mean(), p.mean() - p.std(), p.mean() + p.std());
      attack.add(p.epsilon(), p.attackAccuracy());
      minEps = Math.min(minEps, p.epsilon());
      maxEps = Math.max(maxEps, p.epsilon());
    }
    YIntervalSeriesCollection scores = new YIntervalSeriesCollection();
    scores.addSeries(score);
    XYSeriesCollection attacks = new XYSeriesCollection(attack);

    LogAxis x = new LogAxis("per-query ε (log scale)");
    x.setBase(10);
    x.setRange(minEps / 1.6, maxEps * 1.6);
    x.setNumberFormatOverride(new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    x.setAutoTickUnitSelection(false);
    x.setTickUnit(new NumberTickUnit(1)); // one labelled tick per power of ten
    x.setMinorTickCount(9);
    x.setMinorTickMarksVisible(true);
    NumberAxis left = new NumberAxis(r.metric().equals("accuracy") ? "accuracy" : "mean absolute error");
    if (r.metric().equals("accuracy")) {
      left.setRange(0, 1.05);
      left.setTickUnit(new NumberTickUnit(0.1));
    }
    NumberAxis right = new NumberAxis("max membership-attack accuracy");
    right.setRange(0.5, 1.0);
    right.setTickUnit(new NumberTickUnit(0.05));
    right.setLabelPaint(ATTACK);
    right.setTickLabelPaint(ATTACK);

    XYErrorRenderer errors = new XYErrorRenderer();
    errors.setDrawXError(false);
    errors.setDrawYError(true);
    errors.setDefaultLinesVisible(true);
    errors.setDefaultShapesVisible(true);
    errors.setSeriesPaint(0, SCORE);
    errors.setErrorPaint(SCORE);
    errors.setCapLength(8);
    errors.setSeriesStroke(0, new BasicStroke(2f));
    XYLineAndShapeRenderer attackRenderer = new XYLineAndShapeRenderer(true, true);
    attackRenderer.setSeriesPaint(0, ATTACK);
    attackRenderer.setSeriesStroke(0, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
        new float[] {6f, 4f}, 0f));

    XYPlot plot = new XYPlot(scores, x, left, errors);
    plot.setRangeAxis(1, right);
    plot.setDataset(1, attacks);
    plot.mapDatasetToRangeAxis(1, 1);
    plot.setRenderer(1, attackRenderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));

    ValueMarker plain = new ValueMarker(r.plainScore(), PLAIN, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {3f, 3f}, 0f));
    plain.setLabel("without noise: " + num(r.plainScore()));
    plain.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    plain.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    plain.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    plot.addRangeMarker(plain);
    for (TradeoffEvaluator.Point p : r.points()) {
      XYTextAnnotation q = new XYTextAnnotation("q=" + queries(p.queriesAllowed()), p.epsilon(),
          r.metric().equals("accuracy") ? 0.03 : Math.max(0, p.mean() - p.std()));
      q.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      q.setPaint(PLAIN);
      plot.addAnnotation(q);
    }
    JFreeChart chart = new JFreeChart(title(r, modelName), new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(subtitle(r),
        new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
  }

  private static String queries(long q) {
    return q == Long.MAX_VALUE ? "∞" : Long.toString(q);
  }

  /** The same chart as hand-written SVG 1.1. */
  static String svg(TradeoffEvaluator.Result r, String modelName) {
    List<TradeoffEvaluator.Point> pts = r.points();
    double minEps = Double.POSITIVE_INFINITY;
    double maxEps = 0;
    double maxScore = r.plainScore();
    for (TradeoffEvaluator.Point p : pts) {
      minEps = Math.min(minEps, p.epsilon());
      maxEps = Math.max(maxEps, p.epsilon());
      maxScore = Math.max(maxScore, p.mean() + p.std());
    }
    boolean acc = r.metric().equals("accuracy");
    double yMax = acc ? 1.05 : niceCeil(maxScore * 1.1);
    double lx0 = Math.log(minEps / 1.6);
    double lx1 = Math.log(maxEps * 1.6);
    double left = 80;
    double right = WIDTH - 90;
    double top = 80;
    double bottom = HEIGHT - 110;
    java.util.function.DoubleUnaryOperator px = e -> left + (Math.log(e) - lx0) / (lx1 - lx0) * (right - left);
    java.util.function.DoubleUnaryOperator py = v -> bottom - v / yMax * (bottom - top);
    java.util.function.DoubleUnaryOperator pa = v -> bottom - (v - 0.5) / 0.5 * (bottom - top);

    StringBuilder s = new StringBuilder();
    s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(s, WIDTH / 2.0, 28, "middle", 16, "bold", "#000", title(r, modelName));
    text(s, WIDTH / 2.0, 50, "middle", 12, "normal", "#333", subtitle(r));
    // grid and left ticks
    double step = acc ? 0.1 : niceCeil(yMax / 10);
    for (double v = 0; v <= yMax + 1e-9; v += step) {
      double y = py.applyAsDouble(v);
      line(s, left, y, right, y, "#dddddd", 1, null);
      text(s, left - 8, y + 4, "end", 11, "normal", "#000", num(Math.round(v * 1000) / 1000.0));
    }
    // right ticks (attack accuracy 0.5..1)
    for (int i = 0; i <= 10; i++) {
      double v = 0.5 + i * 0.05;
      double y = pa.applyAsDouble(v);
      line(s, right, y, right + 5, y, rgb(ATTACK), 1, null);
      text(s, right + 8, y + 4, "start", 11, "normal", rgb(ATTACK), num(Math.round(v * 100) / 100.0));
    }
    // x ticks at the evaluated ε
    for (TradeoffEvaluator.Point p : pts) {
      double x = px.applyAsDouble(p.epsilon());
      line(s, x, top, x, bottom, "#eeeeee", 1, null);
      line(s, x, bottom, x, bottom + 5, "#000", 1, null);
      text(s, x, bottom + 18, "middle", 11, "normal", "#000", num(p.epsilon()));
      text(s, x, bottom - 8, "middle", 10, "normal", rgb(PLAIN), "q=" + queries(p.queriesAllowed()));
    }
    // frame and axis labels
    s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
        + "stroke=\"#000\"/>\n", left, top, right - left, bottom - top));
    text(s, (left + right) / 2, bottom + 38, "middle", 13, "normal", "#000", "per-query ε (log scale)");
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
        + "transform=\"rotate(-90 %.1f %.1f)\">%s</text>\n", left - 50, (top + bottom) / 2, left - 50,
        (top + bottom) / 2, esc(acc ? "accuracy" : "mean absolute error")));
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\" "
        + "fill=\"%s\" transform=\"rotate(90 %.1f %.1f)\">%s</text>\n", right + 55, (top + bottom) / 2,
        rgb(ATTACK), right + 55, (top + bottom) / 2, "max membership-attack accuracy"));
    // plain score
    double yPlain = py.applyAsDouble(r.plainScore());
    line(s, left, yPlain, right, yPlain, rgb(PLAIN), 1.5, "3,3");
    text(s, left + 6, yPlain - 5, "start", 12, "normal", rgb(PLAIN), "without noise: " + num(r.plainScore()));
    // score with error bars
    StringBuilder poly = new StringBuilder();
    for (TradeoffEvaluator.Point p : pts) {
      double x = px.applyAsDouble(p.epsilon());
      poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, py.applyAsDouble(p.mean())));
      double y0 = py.applyAsDouble(Math.max(0, p.mean() - p.std()));
      double y1 = py.applyAsDouble(p.mean() + p.std());
      line(s, x, y0, x, y1, rgb(SCORE), 1.5, null);
      line(s, x - 5, y0, x + 5, y0, rgb(SCORE), 1.5, null);
      line(s, x - 5, y1, x + 5, y1, rgb(SCORE), 1.5, null);
    }
    s.append("<polyline fill=\"none\" stroke=\"").append(rgb(SCORE)).append("\" stroke-width=\"2\" points=\"")
        .append(poly.toString().strip()).append("\"/>\n");
    for (TradeoffEvaluator.Point p : pts) {
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>ε=%s: "
          + "%s %s ± %s</title></circle>\n", px.applyAsDouble(p.epsilon()), py.applyAsDouble(p.mean()),
          rgb(SCORE), num(p.epsilon()), r.metric(), num(p.mean()), num(p.std())));
    }
    // attack accuracy on the right axis
    StringBuilder apoly = new StringBuilder();
    for (TradeoffEvaluator.Point p : pts) {
      apoly.append(String.format(Locale.ROOT, "%.1f,%.1f ", px.applyAsDouble(p.epsilon()),
          pa.applyAsDouble(p.attackAccuracy())));
    }
    s.append("<polyline fill=\"none\" stroke=\"").append(rgb(ATTACK))
        .append("\" stroke-width=\"2\" stroke-dasharray=\"6,4\" points=\"").append(apoly.toString().strip())
        .append("\"/>\n");
    for (TradeoffEvaluator.Point p : pts) {
      double x = px.applyAsDouble(p.epsilon());
      double y = pa.applyAsDouble(p.attackAccuracy());
      s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\">"
          + "<title>ε=%s: max attack accuracy %s</title></rect>\n", x - 3.5, y - 3.5, rgb(ATTACK),
          num(p.epsilon()), num(p.attackAccuracy())));
    }
    // legend
    double ly = HEIGHT - 40;
    line(s, 120, ly, 160, ly, rgb(SCORE), 2, null);
    text(s, 168, ly + 4, "start", 12, "normal", "#000", scoreLabel(r) + " over " + r.settings().repetitions()
        + " repetitions");
    line(s, 520, ly, 560, ly, rgb(ATTACK), 2, "6,4");
    text(s, 568, ly + 4, "start", 12, "normal", "#000", ATTACK_LABEL);
    s.append("</svg>\n");
    return s.toString();
  }

  private static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String rgb(Color c) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  private static void line(StringBuilder s, double x0, double y0, double x1, double y1, String color, double w,
      String dash) {
    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
        + "stroke-width=\"%.1f\"%s/>\n", x0, y0, x1, y1, color, w,
        dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
  }

  private static void text(StringBuilder s, double x, double y, String anchor, int size, String weight,
      String color, String t) {
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" "
        + "font-weight=\"%s\" fill=\"%s\">%s</text>\n", x, y, anchor, size, weight, color, esc(t)));
  }

  private static String esc(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
