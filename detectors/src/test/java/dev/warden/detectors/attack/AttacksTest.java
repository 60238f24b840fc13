package dev.warden.detectors.attack;

import static org.junit.jupiter.api.Assertions.*;

import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The attack clients really attack: against the undefended digits model they find adversarial examples. */
class AttacksTest {
  static DenseNetwork model;
  static Dataset test;

  @BeforeAll
  static void train() {
    Dataset.Split s = Recipes.digitsSplit();
    model = Recipes.digitsMlp(s.train());
    test = s.test();
  }

  private int successes(java.util.function.BiFunction<float[], Integer, SquareAttack.Result> run, boolean linf, double radius) {
    int ok = 0;
    for (int i = 0; i < 6; i++) {
      float[] x = test.row(i * 17);
      int y = test.label(i * 17);
      SquareAttack.Result r = run.apply(x, y);
      if (r.success()) {
        assertNotEquals(y, model.predict(r.adversarial()), "claimed success must be real");
        for (int k = 0; k < 64; k++) {
          assertTrue(r.adversarial()[k] >= 0 && r.adversarial()[k] <= 16);
          if (linf) assertTrue(Math.abs(r.adversarial()[k] - x[k]) <= radius + 1e-4);
        }
        if (!linf) assertTrue(HopSkipJumpAttack.l2(x, r.adversarial()) <= radius);
        ok++;
      }
    }
    return ok;
  }

  @Test
  void square_nes_hopSkipJump_findAdversarialExamples_withinTheirBudgets() {
    AtomicInteger q = new AtomicInteger();
    ScoreOracle counting = x -> {
      q.incrementAndGet();
      return model.forward(x);
    };
    int sq = successes((x, y) -> new SquareAttack(8, 8, 0, 16, 1f, 0.3, 300).run(counting, x, y, 1), true, 1);
    int nes = successes((x, y) -> new NesAttack(0, 16, 1f, 0.5f, 0.25f, 20, 300).run(counting, x, y, 2), true, 1);
    int hsj = successes((x, y) -> new HopSkipJumpAttack(0, 16, 9.0, 20, 300).run(counting, x, y, 3), false, 9.0);
    assertTrue(sq >= 3, "square successes " + sq);
    assertTrue(nes >= 2, "nes successes " + nes);
    assertTrue(hsj >= 1, "hsj successes " + hsj);
  }

  @Test
  void refusal_stopsTheAttack() {
    AtomicInteger q = new AtomicInteger();
    ScoreOracle refusing = x -> {
      if (q.incrementAndGet() > 3) throw new ScoreOracle.Refused("input_rejected");
      return model.forward(x);
    };
    SquareAttack.Result r = new SquareAttack(8, 8, 0, 16, 0.5f, 0.3, 300).run(refusing, test.row(0), test.label(0), 4);
    assertTrue(r.refused() || r.success());
    assertTrue(r.queries() <= 4);
  }
}
