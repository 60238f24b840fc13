package dev.warden.gateway.cli;

import dev.warden.gateway.dpviz.LabelledRows;
import dev.warden.gateway.dpviz.ModelOutputs;
import dev.warden.gateway.dpviz.ReleaseSpec;
import dev.warden.gateway.dpviz.TradeoffEvaluator;
import dev.warden.gateway.dpviz.TradeoffReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code warden dp}: differential-privacy tools. */
@Command(name = "dp", mixinStandardHelpOptions = true,
    description = "Differential-privacy tools.",
    subcommands = {DpCommand.Tradeoff.class})
final class DpCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required (tradeoff)");
  }

  /** {@code warden dp tradeoff}: accuracy under a route's mechanism across per-query ε. */
  @Command(name = "tradeoff", mixinStandardHelpOptions = true,
      description = {"Evaluate a model on held-out labelled rows with its outputs released through a route's "
          + "privacy mechanism, for several per-query ε and repetitions; write results.csv, tradeoff.png and "
          + "tradeoff.svg (accuracy ± std, the max membership-attack accuracy e^ε/(1+e^ε), and the queries a "
          + "budget allows).",
          "Offline: spends no budget. Exit codes: 0 written, 1 evaluation failed, 2 bad arguments."})
  static final class Tradeoff implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.onnx", description = "ONNX model (one float "
        + "input [batch, features]).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "D.csv", description = "Held-out rows: CSV "
        + "(features then label, optional header, .csv.gz too) or digits-test / breast-cancer-test.")
    String data;

    @Option(names = "--mechanism", required = true, description = "gaussian | laplace | noisy-max")
    String mechanism;

    @Option(names = "--output-kind", defaultValue = "probabilities",
        description = "probabilities | logits | values (default ${DEFAULT-VALUE})")
    String outputKind;

    @Option(names = "--output-name", description = "Model output to read (default: the first).")
    String outputName;

    @Option(names = "--dimension", description = "Values per output row (default: the model's).")
    Integer dimension;

    @Option(names = "--epsilons", defaultValue = "0.1,0.5,1,2,4,8", split = ",",
        description = "Per-query ε values (default ${DEFAULT-VALUE}).")
    List<String> epsilons;

    @Option(names = "--delta", defaultValue = "1e-6", description = "δ of the budget and of the Gaussian's "
        + "conversion (default ${DEFAULT-VALUE}).")
    String delta;

    @Option(names = "--repetitions", defaultValue = "10", description = "Noisy passes per ε (default "
        + "${DEFAULT-VALUE}).")
    String repetitions;

    @Option(names = "--budget-epsilon", defaultValue = "1", description = "ε of the budget whose query count is "
        + "shown (default ${DEFAULT-VALUE}).")
    String budgetEpsilon;

    @Option(names = "--gaussian-rho", defaultValue = "zcdp", description = "Gaussian ρ from ε: zcdp = the "
        + "largest ρ that is (ε, δ)-DP (improved conversion), eps2half = ε²/2 as the gateway's "
        + "epsilonPerQuery (default ${DEFAULT-VALUE}).")
    String gaussianRho;

    @Option(names = "--bounds-min", description = "Clamping lower bound (logits/values).")
    Double boundsMin;

    @Option(names = "--bounds-max", description = "Clamping upper bound (logits/values).")
    Double boundsMax;

    @Option(names = "--l1", description = "Declared L1 sensitivity (laplace, noisy-max on logits).")
    Double l1;

    @Option(names = "--l2", description = "Declared L2 sensitivity (gaussian on logits/values).")
    Double l2;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Override
    public Integer call() throws IOException {
      System.setProperty("java.awt.headless", "true");
      ReleaseSpec.Mechanism mech = parse("--mechanism", () -> ReleaseSpec.Mechanism.parse(mechanism));
      ReleaseSpec.OutputKind kind = parse("--output-kind", () -> ReleaseSpec.OutputKind.parse(outputKind));
      ReleaseSpec.GaussianCalibration cal =
          parse("--gaussian-rho", () -> ReleaseSpec.GaussianCalibration.parse(gaussianRho));
      List<Double> eps = new ArrayList<>();
      for (String e : epsilons) {
        double v = number("--epsilons", e.strip());
        if (!(v > 0) || !Double.isFinite(v)) {
          throw usage("--epsilons: every ε must be finite and > 0, got " + e);
        }
        eps.add(v);
      }
      double d = number("--delta", delta);
      if (!(d > 0 && d < 1)) {
        throw usage("--delta must be in (0, 1), got " + delta);
      }
      int reps;
      try {
        reps = Integer.parseInt(repetitions.strip());
      } catch (NumberFormatException e) {
        throw usage("--repetitions: not an integer: '" + repetitions + "'");
      }
      if (reps < 1 || reps > 10_000) {
        throw usage("--repetitions must be in 1..10000, got " + reps);
      }
      double be = number("--budget-epsilon", budgetEpsilon);
      if (!(be > 0) || !Double.isFinite(be)) {
        throw usage("--budget-epsilon must be finite and > 0, got " + budgetEpsilon);
      }
      if (!Files.isRegularFile(model)) {
        throw usage("--model: no such file: " + model);
      }
      if (dimension != null && dimension <= 0) {
        throw usage("--dimension must be > 0, got " + dimension);
      }
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw usage("--out: exists and is not a folder: " + out);
      }
      LabelledRows rows;
      try {
        rows = LabelledRows.load(data);
      } catch (IllegalArgumentException | IOException e) {
        throw usage("--data: " + e.getMessage());
      }
      double[][] outputs;
      try {
        outputs = ModelOutputs.evaluate(model, rows.x(), outputName);
      } catch (IllegalArgumentException e) {
        throw usage("--model: " + e.getMessage());
      }
      int dim = outputs[0].length;
      if (dimension != null && dimension != dim) {
        throw usage("--dimension " + dimension + " does not match the model's output width " + dim);
      }
      ReleaseSpec releaseSpec = parse(mech == ReleaseSpec.Mechanism.NOISY_MAX || kind
          == ReleaseSpec.OutputKind.PROBABILITIES ? "--output-kind" : "--bounds-min/--bounds-max/--l1/--l2",
          () -> new ReleaseSpec(mech, kind, dim, nan(boundsMin), nan(boundsMax), nan(l1), nan(l2), cal));
      TradeoffEvaluator.Result result = TradeoffEvaluator.evaluate(outputs, rows.labels(), releaseSpec,
          new TradeoffEvaluator.Settings(eps, d, reps, be));
      String name = model.getFileName().toString();
      TradeoffReport.writeAll(result, name, out);
      print(result);
      return 0;
    }

    private void print(TradeoffEvaluator.Result r) {
      PrintWriter w = spec.commandLine().getOut();
      w.printf(Locale.ROOT, "%s, %d rows, %s without noise: %s%n", r.spec().mechanism().policyName(), r.rows(),
          r.metric(), fmt(r.plainScore()));
      w.println(TradeoffReport.calibrationNote(r));
      w.printf(Locale.ROOT, "%8s %10s %18s %12s %16s%n", "epsilon", "rho", r.metric() + " mean±std",
          "max attack", "queries(budget)");
      for (TradeoffEvaluator.Point p : r.points()) {
        w.printf(Locale.ROOT, "%8s %10s %18s %12s %16s%n", fmt(p.epsilon()), fmt(p.rho()),
            String.format(Locale.ROOT, "%.4f±%.4f", p.mean(), p.std()),
            String.format(Locale.ROOT, "%.4f", p.attackAccuracy()),
            p.queriesAllowed() == Long.MAX_VALUE ? "unlimited" : Long.toString(p.queriesAllowed()));
      }
      w.printf(Locale.ROOT, "budget (epsilon=%s, delta=%s); wrote %s, %s, %s%n", fmt(r.settings().budgetEpsilon()),
          fmt(r.settings().delta()), out.resolve("results.csv"), out.resolve("tradeoff.png"),
          out.resolve("tradeoff.svg"));
      w.flush();
    }

    private static String fmt(double v) {
      return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros()
          .toPlainString();
    }

    private static double nan(Double v) {
      return v == null ? Double.NaN : v;
    }

    private double number(String option, String s) {
      try {
        return Double.parseDouble(s.strip());
      } catch (NumberFormatException e) {
        throw usage(option + ": not a number: '" + s + "'");
      }
    }

    private <T> T parse(String option, java.util.function.Supplier<T> f) {
      try {
        return f.get();
      } catch (IllegalArgumentException e) {
        throw usage(option + ": " + e.getMessage());
      }
    }

    private ParameterException usage(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }
}
