package dev.warden.gateway.dpviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.cli.WardenCli;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import org.w3c.dom.Document;

class DpTradeoffCommandTest {
  @TempDir static Path dir;
  static Path model;
  static Path data;

  @BeforeAll
  static void files() throws Exception {
    System.setProperty("java.awt.headless", "true");
    model = TinyModel.writeModel(dir);
    data = TinyModel.writeCsv(dir);
  }

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cl = WardenCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void tradeoff_writesCsvPngAndSvg() throws Exception {
    Path out = dir.resolve("out");
    Run r = run("dp", "tradeoff", "--model", model.toString(), "--data", data.toString(), "--mechanism",
        "gaussian", "--epsilons", "0.1,1,8,64", "--repetitions", "3", "--budget-epsilon", "2", "--out",
        out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("gaussian: rho = largest rho-zCDP"), r.out());

    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertEquals(5, csv.size());
    List<String> head = Arrays.asList(csv.get(0).split(","));
    int eps = head.indexOf("epsilon");
    int attack = head.indexOf("attack_accuracy_max");
    int mean = head.indexOf("mean");
    int plain = head.indexOf("plain");
    int queries = head.indexOf("queries_allowed");
    int cal = head.indexOf("calibration");
    List<Double> means = new ArrayList<>();
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",", -1);
      assertEquals(head.size(), f.length, line);
      double e = Double.parseDouble(f[eps]);
      assertEquals(Math.exp(e) / (1 + Math.exp(e)), Double.parseDouble(f[attack]), 1e-6, line);
      assertEquals(0.9, Double.parseDouble(f[plain]), 1e-9);
      assertEquals("zcdp", f[cal]);
      assertTrue(Long.parseLong(f[queries]) >= 0);
      means.add(Double.parseDouble(f[mean]));
    }
    assertEquals(0.9, means.get(3), 0.03, "ε = 64 is close to the plain accuracy");
    assertTrue(means.get(0) < 0.6, "ε = 0.1 is close to chance: " + means);

    BufferedImage png = ImageIO.read(out.resolve("tradeoff.png").toFile());
    assertEquals(TradeoffReport.WIDTH, png.getWidth());
    assertEquals(TradeoffReport.HEIGHT, png.getHeight());

    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document svg = f.newDocumentBuilder().parse(out.resolve("tradeoff.svg").toFile());
    assertEquals("svg", svg.getDocumentElement().getNodeName());
    assertEquals(4, svg.getElementsByTagName("circle").getLength(), "one marker per ε");
    String text = Files.readString(out.resolve("tradeoff.svg"));
    assertTrue(text.contains("max membership-attack accuracy"), "second axis label");
  }

  @Test
  void noisyMax_onHeaderlessDigitsFormat_runs() throws Exception {
    Path out = dir.resolve("nm");
    Path csv = dir.resolve("digits-like.csv");
    // the digits file's format: no header, features then an integer label
    Files.writeString(csv, "1,0,0,0\n0,1,0,1\n0,0,1,2\n1,0,0,0\n");
    Run r = run("dp", "tradeoff", "--model", model.toString(), "--data", csv.toString(), "--mechanism",
        "noisy-max", "--epsilons", "1,100", "--repetitions", "2", "--out", out.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(Files.size(out.resolve("tradeoff.png")) > 1000);
    assertTrue(Files.readString(out.resolve("results.csv")).contains("noisy-max,probabilities,pure,1,"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--epsilons|0,1|--epsilons",
      "--epsilons|1,abc|--epsilons",
      "--delta|2|--delta",
      "--repetitions|0|--repetitions",
      "--repetitions|many|--repetitions",
      "--budget-epsilon|-1|--budget-epsilon",
      "--mechanism|uniform|--mechanism",
      "--output-kind|histogram|--output-kind",
      "--gaussian-rho|sometimes|--gaussian-rho",
      "--model|MISSING|--model",
      "--data|MISSING|--data",
      "--dimension|4|--dimension",
      "--output-kind|logits|--bounds",
  })
  void badArguments_exit2_namingTheArgument(String option, String value, String named) {
    List<String> args = new ArrayList<>(List.of("dp", "tradeoff", "--model", model.toString(), "--data",
        data.toString(), "--mechanism", "gaussian", "--repetitions", "1", "--epsilons", "1", "--out",
        dir.resolve("bad").toString()));
    String v = value.equals("MISSING") ? dir.resolve("missing.file").toString() : value;
    int i = args.indexOf(option);
    if (i >= 0) {
      args.set(i + 1, v);
    } else {
      args.add(option);
      args.add(v);
    }
    Run r = run(args.toArray(new String[0]));
    assertEquals(2, r.exit(), r.out() + r.err());
    assertTrue(r.err().contains(named), "message names " + named + ": " + r.err());
  }

  @Test
  void missingOut_exit2() {
    Run r = run("dp", "tradeoff", "--model", model.toString(), "--data", data.toString(), "--mechanism", "laplace");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--out"), r.err());
  }
}
