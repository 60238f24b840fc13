package dev.warden.gateway.he;

import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.OnnxImporter;
import dev.warden.crypto.he.rlwe.Parameters;

/**
 * The parameter presets both sides agree on, by name, and compiling a model with them. The gateway and
 * the backend must compile the same ONNX bytes with the same preset to get the same circuit.
 */
public final class HeModels {
  /** N = 8192, depth 2 (logistic regression, one Gemm). */
  public static final String LOGN13 = "CKKS_128_LOGN13_LOGQP200";
  /** N = 16384, depth 5 (the square MLP). */
  public static final String LOGN14 = "CKKS_128_LOGN14_LOGQP320";

  private HeModels() {}

  /** The preset of that name (either constant above). */
  public static Parameters preset(String name) {
    return switch (name) {
      case LOGN13, "logn13" -> Parameters.CKKS_128_LOGN13_LOGQP200;
      case LOGN14, "logn14" -> Parameters.CKKS_128_LOGN14_LOGQP320;
      default -> throw new IllegalArgumentException("unknown HE parameter set '" + name + "' (use " + LOGN13
          + " or " + LOGN14 + ")");
    };
  }

  /**
   * Compiles {@code onnx} with the named preset, or, when {@code preset} is null, with the smallest
   * preset deep enough for it (LOGN13, else LOGN14).
   */
  public static CompiledModel compile(byte[] onnx, String preset) {
    var plain = OnnxImporter.read(onnx);
    if (preset != null) {
      return CompiledModel.compile(plain, preset(preset));
    }
    try {
      return CompiledModel.compile(plain, Parameters.CKKS_128_LOGN13_LOGQP200);
    } catch (IllegalArgumentException tooDeep) {
      return CompiledModel.compile(plain, Parameters.CKKS_128_LOGN14_LOGQP320);
    }
  }
}
