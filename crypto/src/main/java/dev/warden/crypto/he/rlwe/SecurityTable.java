package dev.warden.crypto.he.rlwe;

/**
 * Largest log2(Q·P) per ring degree for 128-bit classical security with a uniform ternary secret and
 * error σ = 3.2, from the HomomorphicEncryption.org security standard (Albrecht et al., 2018, Table 1;
 * the same values SEAL enforces as {@code CoeffModulus::MaxBitCount(N, sec_level_type::tc128)}).
 */
final class SecurityTable {
  private SecurityTable() {}

  static final int[] LOG_N = {10, 11, 12, 13, 14, 15};
  static final int[] MAX_LOG_QP_128 = {27, 54, 109, 218, 438, 881};

  /** The bound for 2^logN, or -1 when the standard gives none. */
  static int maxLogQP128(int logN) {
    for (int i = 0; i < LOG_N.length; i++) {
      if (LOG_N[i] == logN) {
        return MAX_LOG_QP_128[i];
      }
    }
    return -1;
  }
}
