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
    int level = p.maxLevel();
    LinearTransform lt = new LinearTransform(enc, diags, level, p.q(level), 0);
    assertEquals(14, lt.rotationSteps().size(), "8 baby + 8 giant steps need 7 + 7 keys");
    SecureRandom random = new SecureRandom();
    KeyGenerator kg = new KeyGenerator(p, random);
    SecretKey sk = kg.genSecretKey();
    EvaluationKeys evk = kg.genEvaluationKeys(sk, false, lt.rotationSteps(), false);
    Evaluator ev = new Evaluator(p, evk);
    Ciphertext ct = Encryptor.withSecretKey(sk, random).encrypt(enc.encode(xRep, level, p.defaultScale()));
    Ciphertext y = ev.rescale(lt.apply(ev, ct));
    assertEquals(p.defaultScale(), y.scale(), 1e-6 * p.defaultScale());
    double[] got = decryptDecode(new Decryptor(sk), enc, y);
    double[] expected = new double[dim];
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < dim; j++) {
        expected[i] += m[i][j] * x[j];
      }
    }
    assertTrue(bitsOfPrecision(expected, got) > 18, "precision " + bitsOfPrecision(expected, got));
  }
}
