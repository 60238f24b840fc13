package dev.warden.gateway.dpviz;

import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.cli.WardenCli;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Regenerates the figures of {@code docs/dp-tradeoff.md}: trains the gateway demo's digits MLP, exports it to
 * ONNX and runs {@code warden dp tradeoff} on the held-out digits for each mechanism. Not a test; run with the
 * test class path: {@code java -cp ... dev.warden.gateway.dpviz.DemoFigure OUT_DIR [repetitions]}; it writes
 * {@code dp-tradeoff-<mechanism>.{csv,png,svg}} there.
 */
public final class DemoFigure {
  private DemoFigure() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Path out = Path.of(args[0]);
    String reps = args.length > 1 ? args[1] : "10";
    Files.createDirectories(out);
    Path model = out.resolve("digits-mlp.onnx");
    Files.write(model, Recipes.digitsMlp(Recipes.digitsSplit().train()).toOnnx("input", "probabilities"));
    for (String m : new String[] {"gaussian", "laplace", "noisy-max"}) {
      Path dir = out.resolve("run-" + m);
      int exit = WardenCli.commandLine().execute("dp", "tradeoff", "--model", model.toString(), "--data",
          "digits-test", "--mechanism", m, "--epsilons", "0.1,0.5,1,2,4,8,16,32,64", "--repetitions", reps,
          "--out", dir.toString());
      if (exit != 0) {
        System.exit(exit);
      }
      Files.copy(dir.resolve("results.csv"), out.resolve("dp-tradeoff-" + m + ".csv"), REPLACE_EXISTING);
      Files.copy(dir.resolve("tradeoff.png"), out.resolve("dp-tradeoff-" + m + ".png"), REPLACE_EXISTING);
      Files.copy(dir.resolve("tradeoff.svg"), out.resolve("dp-tradeoff-" + m + ".svg"), REPLACE_EXISTING);
    }
  }
}
