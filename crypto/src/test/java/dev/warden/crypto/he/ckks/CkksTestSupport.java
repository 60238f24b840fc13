package dev.warden.crypto.he.ckks;

import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Decryptor;
import java.util.SplittableRandom;

/** Shared helpers: random vectors and precision measurement. */
final class CkksTestSupport {
  private CkksTestSupport() {}

  static double[] randomVector(SplittableRandom r, int n, double bound) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = (r.nextDouble() * 2 - 1) * bound;
    }
    return v;
  }

  /** −log2 of the largest absolute error over the first expected.length slots. */
  static double bitsOfPrecision(double[] expected, double[] actual) {
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs(expected[i] - actual[i]));
    }
    return max == 0 ? 64 : -Math.log(max) / Math.log(2);
  }

  static double[] decryptDecode(Decryptor dec, Encoder enc, Ciphertext ct) {
    return enc.decode(dec.decrypt(ct));
  }
}
