package dev.warden.bench.screening;

import dev.warden.detectors.attack.HopSkipJumpAttack;
import dev.warden.detectors.attack.NesAttack;
import dev.warden.detectors.attack.ScoreOracle;
import dev.warden.detectors.attack.SquareAttack;
import dev.warden.detectors.query.FingerprintParams;
import dev.warden.detectors.query.Fingerprinter;
import dev.warden.detectors.query.InMemoryQueryStore;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Datasets;
import dev.warden.detectors.train.DenseNetwork;
import dev.warden.detectors.train.Recipes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A side study of fingerprint variants for the digits schema (not a benchmark): benign false-positive
 * rate over all 1797 distinct digits in random order, and the share of Square / NES / HopSkipJump
 * queries flagged, for several candidate views (a view = preprocessing + fingerprint parameters; a
 * query is flagged when any view of the variant flags; a variant named {@code sumT} instead joins its
 * views into one fingerprint flagged at T shared hashes over all views, which is what
 * {@code FingerprintParams.denoiseWidth} does). Used to choose the NES fix. Views are given as
 * {@code -Dviews='name=pre:step:w:p:S:T:salt[,pre:...];...'} with pre one of raw, blur3 (3x3 mean),
 * blur2, box2..box4 (1-D means), t (transpose). Run: {@code STUDY_VIEWS='...' bench/screening.sh study [runs] [salt]}.
 */
public final class FingerprintStudy {
  record View(String name, UnaryOperator<float[]> pre, FingerprintParams p, float salt) {}

  record Variant(String name, List<View> views) {}

  static final class Defended {
    final List<View> views;
    final List<Fingerprinter> fps = new ArrayList<>();
    final List<InMemoryQueryStore> stores = new ArrayList<>();

    Defended(List<View> views, Random keys) {
      this.views = views;
      for (View v : views) {
        fps.add(Fingerprinter.withSecrets(v.p(), v.salt(), keys.nextLong(), keys.nextLong()));
        stores.add(new InMemoryQueryStore(100_000, v.p().topS(), 3_600_000, System::currentTimeMillis));
      }
    }

    int sumThreshold = -1;
    InMemoryQueryStore sumStore;

    boolean check(float[] x) {
      if (sumThreshold > 0) {
        if (sumStore == null) sumStore = new InMemoryQueryStore(100_000, 200, 3_600_000, System::currentTimeMillis);
        long[] all = new long[0];
        for (int i = 0; i < views.size(); i++) {
          long[] f = fps.get(i).fingerprint(views.get(i).pre().apply(x));
          long[] n = java.util.Arrays.copyOf(all, all.length + f.length);
          System.arraycopy(f, 0, n, all.length, f.length);
          all = n;
        }
        java.util.Arrays.sort(all);
        return sumStore.checkAndAdd("t", all, sumThreshold).flagged();
      }
      boolean flagged = false;
      for (int i = 0; i < views.size(); i++) {
        View v = views.get(i);
        flagged |= stores.get(i).checkAndAdd("t", fps.get(i).fingerprint(v.pre().apply(x)), v.p().threshold()).flagged();
      }
      return flagged;
    }
  }

  static float[] blur3(float[] x) {
    float[] y = new float[64];
    for (int r = 0; r < 8; r++) {
      for (int c = 0; c < 8; c++) {
        float s = 0;
        int n = 0;
        for (int dr = -1; dr <= 1; dr++) for (int dc = -1; dc <= 1; dc++) {
          int rr = r + dr;
          int cc = c + dc;
          if (rr < 0 || rr > 7 || cc < 0 || cc > 7) continue;
          s += x[rr * 8 + cc];
          n++;
        }
        y[r * 8 + c] = s / n;
      }
    }
    return y;
  }

  static float[] blur2(float[] x) { // 2x2 box, same size (bottom/right edges averaged over fewer)
    float[] y = new float[64];
    for (int r = 0; r < 8; r++) {
      for (int c = 0; c < 8; c++) {
        float s = 0;
        int n = 0;
        for (int dr = 0; dr <= 1; dr++) for (int dc = 0; dc <= 1; dc++) {
          int rr = r + dr;
          int cc = c + dc;
          if (rr > 7 || cc > 7) continue;
          s += x[rr * 8 + cc];
          n++;
        }
        y[r * 8 + c] = s / n;
      }
    }
    return y;
  }

  static float[] box(float[] x, int k) { // 1-D moving average over the flattened input, width k
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      float s = 0;
      int n = 0;
      for (int j = i; j < Math.min(x.length, i + k); j++) {
        s += x[j];
        n++;
      }
      y[i] = s / n;
    }
    return y;
  }

  static float[] transpose(float[] x) {
    float[] y = new float[64];
    for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) y[c * 8 + r] = x[r * 8 + c];
    return y;
  }

  static Defended defended(Variant var, Random keys) {
    Defended d = new Defended(var.views(), keys);
    if (var.name().startsWith("sum")) d.sumThreshold = Integer.parseInt(var.name().substring(3));
    return d;
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Random keys = new Random(7);
    float salt = args.length > 1 ? Float.parseFloat(args[1]) : 0.3f;
    Dataset.Split split = Recipes.digitsSplit();
    DenseNetwork model = Recipes.digitsMlp(split.train());
    float[][] all = Datasets.digits().x();
    List<Variant> variants = new ArrayList<>();
    FingerprintParams base = FingerprintParams.DIGITS_8X8;
    variants.add(new Variant("baseline", List.of(new View("raw", x -> x, base, salt))));
    for (String spec : System.getProperty("views", "").split(";")) {
      if (spec.isBlank()) continue;
      // name=pre:step:w:p:S:T:salt,pre:step:...
      String[] nv = spec.split("=");
      List<View> vs = new ArrayList<>();
      for (String v : nv[1].split(",")) {
        String[] f = v.split(":");
        UnaryOperator<float[]> pre = switch (f[0]) {
          case "raw" -> x -> x;
          case "blur3" -> FingerprintStudy::blur3;
          case "blur2" -> FingerprintStudy::blur2;
          case "t" -> FingerprintStudy::transpose;
          case "box2" -> x -> box(x, 2);
          case "box3" -> x -> box(x, 3);
          case "box4" -> x -> box(x, 4);
          case "tblur3" -> x -> transpose(blur3(x));
          default -> throw new IllegalArgumentException(f[0]);
        };
        vs.add(new View(f[0], pre, new FingerprintParams(Float.parseFloat(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
            Integer.parseInt(f[4]), Integer.parseInt(f[5]), 1f), Float.parseFloat(f[6])));
      }
      variants.add(new Variant(nv[0], vs));
    }
    for (Variant var : variants) {
      long t0 = System.nanoTime();
      // benign: 3 shuffles of all 1797 distinct digits
      int benignFlags = 0;
      int benignN = 0;
      for (int rep = 0; rep < 3; rep++) {
        Defended d = defended(var, keys);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.length; i++) order.add(i);
        Collections.shuffle(order, new Random(17 + rep));
        for (int i : order) {
          if (d.check(all[i])) benignFlags++;
          benignN++;
        }
      }
      StringBuilder sb = new StringBuilder(String.format("%-12s benign %d/%d (%.3f%%)", var.name(), benignFlags, benignN, 100.0 * benignFlags / benignN));
      for (String attack : List.of("square", "nes", "hsj")) {
        long q = 0;
        long flagged = 0;
        for (int r = 0; r < runs; r++) {
          int idx = (r * 13) % split.test().size();
          float[] x = split.test().row(idx);
          int label = split.test().label(idx);
          if (model.predict(x) != label) continue;
          Defended d = defended(var, keys);
          long[] counts = new long[2];
          ScoreOracle o = in -> {
            counts[0]++;
            if (d.check(in)) counts[1]++;
            return model.forward(in);
          };
          switch (attack) {
            case "square" -> new SquareAttack(8, 8, 0, 16, 1f, 0.3, 300).run(o, x, label, 500 + r);
            case "nes" -> new NesAttack(0, 16, 1f, 0.5f, 0.25f, 20, 300).run(o, x, label, 500 + r);
            default -> new HopSkipJumpAttack(0, 16, 9.0, 20, 300).run(o, x, label, 500 + r);
          }
          q += counts[0];
          flagged += counts[1];
        }
        sb.append(String.format("  %s %.1f%%", attack, 100.0 * flagged / q));
      }
      sb.append(String.format("  (%d ms)", (System.nanoTime() - t0) / 1_000_000));
      System.out.println(sb);
    }
  }
}
