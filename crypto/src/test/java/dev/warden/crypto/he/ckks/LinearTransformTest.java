package dev.warden.crypto.he.ckks;

import static dev.warden.crypto.he.ckks.CkksTestSupport.bitsOfPrecision;
import static dev.warden.crypto.he.ckks.CkksTestSupport.decryptDecode;
import static dev.warden.crypto.he.ckks.CkksTestSupport.randomVector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Decryptor;
import dev.warden.crypto.he.rlwe.Encryptor;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.SecretKey;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTransformTest {
  @Test
  void bsgsMatrixVectorProduct_matchesPlainProduct() {
    check(Parameters.CKKS_128_LOGN13_LOGQP200.maxLevel(), 0, 14, 18);
  }

  @Test
  void doublyHoistedProduct_withMoreBabiesThanGiants_matchesPlainProduct() {
    // 16 baby steps, 4 giant steps: each giant's 15 baby rotations share one decomposition and one ModDown
    check(Parameters.CKKS_128_LOGN13_LOGQP200.maxLevel(), 16, 18, 18);
  }

  @Test
  void doublyHoistedProduct_atLevel0_matchesPlainProduct() {
    // level 0 (as the logistic regression runs): the key switch is one Shoup product per coefficient.
    // Input at 2^26 and weights at 2^20 leave ≈ 10 bits on this dense 64×64 product, the same with the
    // chained (one ModDown per rotation) evaluation; the logistic regression's error is checked end to end
    check(0, 16, 18, 8);
  }

  private static void check(int level, int babySteps, int keys, double minBits) {
    Parameters p = Parameters.CKKS_128_LOGN13_LOGQP200;
    Encoder enc = new Encoder(p);
    int slots = p.slots();
    int dim = 64; // a 64×64 matrix acting on a vector replicated with period 64
    SplittableRandom r = new SplittableRandom(3);
    double[][] m = new double[dim][];
    for (int i = 0; i < dim; i++) {
      m[i] = randomVector(r, dim, 1);
    }
    double[] x = randomVector(r, dim, 1);
    double[] xRep = new double[slots];
    for (int i = 0; i < slots; i++) {
      xRep[i] = x[i % dim];
    }
    Map<Integer, double[]> diags = new HashMap<>();
    for (int k = 0; k < dim; k++) {
      double[] d = new double[slots];
      for (int i = 0; i < slots; i++) {
        d[i] = m[i % dim][(i + k) % dim];
      }
      diags.put(k, d);
    }
    double ptScale = level == 0 ? 0x1p20 : p.q(level);
    double ctScale = level == 0 ? 0x1p26 : p.defaultScale();
    LinearTransform lt = new LinearTransform(enc, diags, level, ptScale, babySteps);
    assertEquals(keys, lt.rotationSteps().size(), "baby steps − 1 + giant steps − 1 keys");
    SecureRandom random = new SecureRandom();
    KeyGenerator kg = new KeyGenerator(p, random);
    SecretKey sk = kg.genSecretKey();
    EvaluationKeys evk = kg.genEvaluationKeys(sk, false, lt.rotationSteps(), false);
    Evaluator ev = new Evaluator(p, evk);
    Ciphertext ct = Encryptor.withSecretKey(sk, random).encrypt(enc.encode(xRep, level, ctScale));
    Ciphertext y = level == 0 ? lt.apply(ev, ct) : ev.rescale(lt.apply(ev, ct));
    double scale = level == 0 ? ctScale * ptScale : ctScale;
    assertEquals(scale, y.scale(), 1e-6 * scale);
    double[] got = decryptDecode(new Decryptor(sk), enc, y);
    double[] expected = new double[dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        expected[i] += m[i][j] * x[j];
      }
    }
    assertTrue(bitsOfPrecision(expected, got) > minBits, "precision " + bitsOfPrecision(expected, got));
  }
}
