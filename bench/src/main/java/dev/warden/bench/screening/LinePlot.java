package dev.warden.bench.screening;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/** A minimal line chart written as PNG with java.awt (headless), so the harness needs no plotting library. */
final class LinePlot {
  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final Map<String, double[][]> series = new LinkedHashMap<>();

  LinePlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  void add(String name, double[] xs, double[] ys) { series.put(name, new double[][] {xs, ys}); }

  /** Writes the chart; series {@code k} uses colour {@code k % groupSize} and dash style {@code k / groupSize}. */
  void write(Path png, double xMax, int groupSize) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int w = 1000;
    int h = 640;
    int left = 70;
    int right = 300;
    int top = 50;
    int bottom = 60;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(new Color(230, 230, 230));
    for (int i = 0; i <= 10; i++) {
      int y = top + ph - i * ph / 10;
      g.drawLine(left, y, left + pw, y);
      int x = left + i * pw / 10;
      g.drawLine(x, top, x, top + ph);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i <= 10; i++) {
      g.drawString(String.format("%.1f", i / 10.0), left - 30, top + ph - i * ph / 10 + 4);
      g.drawString(String.valueOf((int) Math.round(i * xMax / 10)), left + i * pw / 10 - 8, top + ph + 18);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.drawString(xLabel, left + pw / 2 - 60, h - 20);
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(top + ph / 2 + 80), 20);
    g.rotate(Math.PI / 2);
    Color[] palette = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(214, 39, 40),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127),
        new Color(188, 189, 34), new Color(23, 190, 207), Color.BLACK, new Color(0, 90, 0)};
    int k = 0;
    float[][] dashes = {null, {10f, 6f}, {2f, 4f}, {14f, 4f, 2f, 4f}};
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      Color c = palette[(k % groupSize) % palette.length];
      float[] dash = dashes[(k / groupSize) % dashes.length];
      g.setStroke(dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
      g.setColor(c);
      double[] xs = e.getValue()[0];
      double[] ys = e.getValue()[1];
      for (int i = 1; i < xs.length; i++) {
        int x1 = left + (int) (Math.min(xs[i - 1], xMax) / xMax * pw);
        int x2 = left + (int) (Math.min(xs[i], xMax) / xMax * pw);
        int y1 = top + ph - (int) (ys[i - 1] * ph);
        int y2 = top + ph - (int) (ys[i] * ph);
        g.drawLine(x1, y1, x2, y2);
      }
      int ly = top + 10 + k * 20;
      g.drawLine(left + pw + 12, ly + 2, left + pw + 36, ly + 2);
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), left + pw + 40, ly + 6);
      k++;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
