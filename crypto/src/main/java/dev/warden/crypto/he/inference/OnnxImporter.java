package dev.warden.crypto.he.inference;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an ONNX model into a {@link PlainModel}: the subset of ONNX that CKKS evaluates well.
 *
 * <p>Supported, on one running [batch, d] tensor: {@code Gemm} (transA = 0, any transB/alpha/beta),
 * {@code MatMul} by a constant, {@code Add}/{@code Sub}/{@code Mul}/{@code Div} with a constant scalar or
 * [d]/[1, d] vector, {@code Flatten}, {@code Reshape} to [−1|0|1, d], {@code Identity},
 * square as {@code Mul(x, x)} or {@code Pow(x, 2)}, and a declared polynomial activation
 * {@code Polynomial} (domain {@code dev.warden}) with float attribute list {@code coefficients} =
 * [c0, c1, c2] (degree ≤ 2). {@code Softmax}, {@code Sigmoid} and {@code ArgMax} are accepted only at the
 * end: they become post-processing run after decryption. Anything else (e.g. Relu) is refused with a
 * message naming the node: replace it by a declared polynomial.
 *
 * <p>Constant element-wise operations and consecutive linear layers are folded; a polynomial
 * c2·x² + c1·x + c0 becomes c2·(x + c1/(2c2))² + (c0 − c1²/(4c2)), the shift folded into the preceding
 * layer's bias and the outer scale and constant into the following layer (or into the output affine
 * applied after decryption). Stateless; thread-safe.
 */
public final class OnnxImporter {
  /** Domain of the declared polynomial activation node. */
  public static final String POLY_DOMAIN = "dev.warden";
  public static final String POLY_OP = "Polynomial";
  private static final int MAX_DIM = 1 << 14;

  private OnnxImporter() {}

  /** Parses and folds a serialised ONNX ModelProto. */
  public static PlainModel read(byte[] onnx) {
    OnnxMl.ModelProto model;
    try {
      model = OnnxMl.ModelProto.parseFrom(onnx);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    OnnxMl.GraphProto g = model.getGraph();
    Map<String, Tensor> consts = new HashMap<>();
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      consts.put(t.getName(), Tensor.of(t));
    }
    String running = null;
    int dim = -1;
    for (OnnxMl.ValueInfoProto vi : g.getInputList()) {
      if (consts.containsKey(vi.getName())) {
        continue;
      }
      if (running != null) {
        throw new IllegalArgumentException("models with more than one input are not supported");
      }
      running = vi.getName();
      var shape = vi.getType().getTensorType().getShape();
      if (shape.getDimCount() == 2 && shape.getDim(1).hasDimValue()) {
        dim = (int) shape.getDim(1).getDimValue();
      }
    }
    if (running == null) {
      throw new IllegalArgumentException("model has no input");
    }
    Folder f = new Folder(dim);
    PlainModel.PostProcessing post = PlainModel.PostProcessing.NONE;
    for (OnnxMl.NodeProto node : g.getNodeList()) {
      String op = node.getOpType();
      String where = op + " node '" + node.getName() + "'";
      if (op.equals("Constant")) {
        consts.put(node.getOutput(0), Tensor.of(attr(node, "value").getT()));
        continue;
      }
      if (post != PlainModel.PostProcessing.NONE && !op.equals("ArgMax") && !op.equals("Identity")) {
        throw new IllegalArgumentException(where + " follows the final " + post + "; only post-processing may end a model");
      }
      if (!node.getInputList().contains(running)) {
        throw new IllegalArgumentException(where + " does not consume the running tensor '" + running + "'");
      }
      switch (op) {
        case "Gemm" -> {
          if (intAttr(node, "transA", 0) != 0) {
            throw new IllegalArgumentException(where + ": transA is not supported");
          }
          requireFirst(node, running, where);
          Tensor b = constant(consts, node, 1, where);
          boolean transB = intAttr(node, "transB", 0) != 0;
          double alpha = floatAttr(node, "alpha", 1);
          double beta = floatAttr(node, "beta", 1);
          double[][] w = b.matrix(transB, where);
          for (double[] row : w) {
            for (int i = 0; i < row.length; i++) {
              row[i] *= alpha;
            }
          }
          double[] bias = new double[w.length];
          if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
            double[] c = constant(consts, node, 2, where).vector(w.length, where);
            for (int i = 0; i < bias.length; i++) {
              bias[i] = beta * c[i];
            }
          }
          f.affine(w, bias, where);
        }
        case "MatMul" -> {
          requireFirst(node, running, where);
          f.affine(constant(consts, node, 1, where).matrix(false, where), null, where);
        }
        case "Add", "Sub", "Mul", "Div" -> {
          if (op.equals("Mul") && node.getInput(0).equals(running) && node.getInput(1).equals(running)) {
            f.poly(0, 0, 1, where);
            break;
          }
          int ci = node.getInput(0).equals(running) ? 1 : 0;
          double[] c = constant(consts, node, ci, where).vector(f.dim, where);
          double[] scale = new double[c.length];
          double[] shift = new double[c.length];
          for (int i = 0; i < c.length; i++) {
            switch (op) {
              case "Add" -> { scale[i] = 1; shift[i] = c[i]; }
              case "Sub" -> { scale[i] = ci == 1 ? 1 : -1; shift[i] = ci == 1 ? -c[i] : c[i]; }
              case "Mul" -> scale[i] = c[i];
              default -> {
                if (ci == 0) {
                  throw new IllegalArgumentException(where + ": division by the encrypted tensor is not polynomial");
                }
                scale[i] = 1 / c[i];
              }
            }
          }
          f.elementwise(scale, shift, where);
        }
        case "Pow" -> {
          requireFirst(node, running, where);
          double[] e = constant(consts, node, 1, where).values;
          if (e.length != 1 || e[0] != 2) {
            throw new IllegalArgumentException(where + ": only the exponent 2 is supported");
          }
          f.poly(0, 0, 1, where);
        }
        case POLY_OP -> {
          if (!POLY_DOMAIN.equals(node.getDomain())) {
            throw new IllegalArgumentException(where + ": Polynomial must be in domain " + POLY_DOMAIN);
          }
          List<Float> cs = attr(node, "coefficients").getFloatsList();
          if (cs.isEmpty() || cs.size() > 3) {
            throw new IllegalArgumentException(where + ": 1 to 3 coefficients (degree ≤ 2) required");
          }
          f.poly(cs.get(0), cs.size() > 1 ? cs.get(1) : 0, cs.size() > 2 ? cs.get(2) : 0, where);
        }
        case "Flatten", "Identity" -> { }
        case "Reshape" -> {
          double[] shape = constant(consts, node, 1, where).values;
          if (shape.length != 2 || (f.dim > 0 && shape[1] != f.dim && shape[1] != -1)) {
            throw new IllegalArgumentException(where + ": only reshapes to [batch, " + f.dim + "] are supported");
          }
        }
        case "Softmax" -> post = PlainModel.PostProcessing.SOFTMAX;
        case "Sigmoid" -> post = PlainModel.PostProcessing.SIGMOID;
        case "ArgMax" -> post = PlainModel.PostProcessing.ARGMAX;
        default -> throw new IllegalArgumentException(where + ": operator " + op
            + " is not supported homomorphically (declare a degree-2 Polynomial instead)");
      }
      running = node.getOutput(0);
    }
    boolean isOutput = false;
    for (OnnxMl.ValueInfoProto vi : g.getOutputList()) {
      isOutput |= vi.getName().equals(running);
    }
    if (!isOutput) {
      throw new IllegalArgumentException("the graph output is not the result of the last supported node");
    }
    return f.finish(post);
  }

  private static void requireFirst(OnnxMl.NodeProto node, String running, String where) {
    if (!node.getInput(0).equals(running)) {
      throw new IllegalArgumentException(where + ": the encrypted tensor must be the first input");
    }
  }

  private static Tensor constant(Map<String, Tensor> consts, OnnxMl.NodeProto node, int idx, String where) {
    if (node.getInputCount() <= idx) {
      throw new IllegalArgumentException(where + ": missing input " + idx);
    }
    Tensor t = consts.get(node.getInput(idx));
    if (t == null) {
      throw new IllegalArgumentException(where + ": input '" + node.getInput(idx) + "' must be a constant");
    }
    return t;
  }

  private static OnnxMl.AttributeProto attr(OnnxMl.NodeProto node, String name) {
    for (OnnxMl.AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException(node.getOpType() + " node '" + node.getName() + "' lacks attribute " + name);
  }

  private static long intAttr(OnnxMl.NodeProto node, String name, long dflt) {
    for (OnnxMl.AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  private static double floatAttr(OnnxMl.NodeProto node, String name, double dflt) {
    for (OnnxMl.AttributeProto a : node.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getF();
      }
    }
    return dflt;
  }

  /** A constant tensor as doubles. */
  static final class Tensor {
    final long[] dims;
    final double[] values;

    Tensor(long[] dims, double[] values) {
      this.dims = dims;
      this.values = values;
    }

    static Tensor of(OnnxMl.TensorProto t) {
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      long count = 1;
      for (long d : dims) {
        if (d < 0 || d > MAX_DIM) {
          throw new IllegalArgumentException("tensor '" + t.getName() + "' has an unsupported dimension " + d);
        }
        count *= d;
      }
      if (count > (long) MAX_DIM * 64) {
        throw new IllegalArgumentException("tensor '" + t.getName() + "' is too large");
      }
      int n = (int) count;
      double[] v = new double[n];
      ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      boolean hasRaw = !t.getRawData().isEmpty();
      switch (t.getDataType()) {
        case 1 -> { // FLOAT
          check(hasRaw ? raw.remaining() / 4 : t.getFloatDataCount(), n, t);
          for (int i = 0; i < n; i++) {
            v[i] = hasRaw ? raw.getFloat() : t.getFloatData(i);
          }
        }
        case 11 -> { // DOUBLE
          check(hasRaw ? raw.remaining() / 8 : t.getDoubleDataCount(), n, t);
          for (int i = 0; i < n; i++) {
            v[i] = hasRaw ? raw.getDouble() : t.getDoubleData(i);
          }
        }
        case 7 -> { // INT64
          check(hasRaw ? raw.remaining() / 8 : t.getInt64DataCount(), n, t);
          for (int i = 0; i < n; i++) {
            v[i] = hasRaw ? raw.getLong() : t.getInt64Data(i);
          }
        }
        default -> throw new IllegalArgumentException("tensor '" + t.getName() + "' has unsupported type " + t.getDataType());
      }
      return new Tensor(dims, v);
    }

    private static void check(int have, int want, OnnxMl.TensorProto t) {
      if (have != want) {
        throw new IllegalArgumentException("tensor '" + t.getName() + "' holds " + have + " values, dims say " + want);
      }
    }

    /** As [out][in]: stored [out, in] when {@code outMajor}, else [in, out]. */
    double[][] matrix(boolean outMajor, String where) {
      if (dims.length != 2) {
        throw new IllegalArgumentException(where + ": weight must be 2-D");
      }
      int r = (int) dims[0];
      int c = (int) dims[1];
      int out = outMajor ? r : c;
      int in = outMajor ? c : r;
      double[][] w = new double[out][in];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          double x = values[i * c + j];
          if (outMajor) {
            w[i][j] = x;
          } else {
            w[j][i] = x;
          }
        }
      }
      return w;
    }

    /** A broadcastable vector of length d (scalar, [d] or [1, d]). */
    double[] vector(int d, String where) {
      if (values.length == 1 && d > 0) {
        double[] v = new double[d];
        java.util.Arrays.fill(v, values[0]);
        return v;
      }
      if (d > 0 && values.length != d) {
        throw new IllegalArgumentException(where + ": constant of " + values.length + " values for width " + d);
      }
      return values.clone();
    }
  }

  /** Folds the operator stream into the normal form. */
  private static final class Folder {
    int dim;
    final int inputDim;
    final List<PlainModel.Stage> stages = new ArrayList<>();
    double[][] w; // pending affine, null = identity
    double[] b;
    double[] outScale;
    double[] outShift;
    boolean lastWasSquare;

    Folder(int inputDim) {
      this.dim = inputDim;
      this.inputDim = inputDim;
    }

    void ensurePending(String where) {
      if (w == null) {
        if (dim <= 0) {
          throw new IllegalArgumentException(where + ": input width unknown (give the input a static shape)");
        }
        w = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
          w[i][i] = 1;
        }
        b = new double[dim];
      }
    }

    void affine(double[][] m, double[] bias, String where) {
      if (m.length == 0 || m.length > MAX_DIM) {
        throw new IllegalArgumentException(where + ": bad layer width");
      }
      int in = m[0].length;
      if (dim > 0 && in != dim) {
        throw new IllegalArgumentException(where + ": expects width " + in + ", tensor has " + dim);
      }
      if (dim <= 0) {
        dim = in;
      }
      if (w == null && stages.isEmpty()) {
        w = m;
        b = bias == null ? new double[m.length] : bias;
      } else {
        ensurePending(where);
        double[][] nw = new double[m.length][w[0].length];
        double[] nb = new double[m.length];
        for (int o = 0; o < m.length; o++) {
          double acc = bias == null ? 0 : bias[o];
          for (int k = 0; k < in; k++) {
            double mk = m[o][k];
            if (mk == 0) {
              continue;
            }
            acc += mk * b[k];
            for (int i = 0; i < nw[o].length; i++) {
              nw[o][i] += mk * w[k][i];
            }
          }
          nb[o] = acc;
        }
        w = nw;
        b = nb;
      }
      dim = m.length;
      lastWasSquare = false;
    }

    void elementwise(double[] scale, double[] shift, String where) {
      ensurePending(where);
      if (scale.length != dim) {
        throw new IllegalArgumentException(where + ": width mismatch");
      }
      for (int o = 0; o < dim; o++) {
        for (int i = 0; i < w[o].length; i++) {
          w[o][i] *= scale[o];
        }
        b[o] = b[o] * scale[o] + shift[o];
      }
    }

    void poly(double c0, double c1, double c2, String where) {
      if (c2 == 0) {
        double[] s = new double[Math.max(dim, 1)];
        double[] t = new double[s.length];
        java.util.Arrays.fill(s, c1);
        java.util.Arrays.fill(t, c0);
        elementwise(s, t, where);
        return;
      }
      ensurePending(where);
      double d = c1 / (2 * c2);
      for (int o = 0; o < dim; o++) {
        b[o] += d;
      }
      stages.add(new PlainModel.Affine(w, b));
      stages.add(PlainModel.Square.INSTANCE);
      // pending = c2·y + e (diagonal)
      double e = c0 - c1 * c1 / (4 * c2);
      w = new double[dim][dim];
      b = new double[dim];
      for (int i = 0; i < dim; i++) {
        w[i][i] = c2;
        b[i] = e;
      }
      lastWasSquare = true;
    }

    PlainModel finish(PlainModel.PostProcessing post) {
      if (w == null) {
        throw new IllegalArgumentException("the model has no linear layer");
      }
      boolean diagonal = true;
      for (int o = 0; o < w.length && diagonal; o++) {
        if (w[o].length != w.length) {
          diagonal = false;
          break;
        }
        for (int i = 0; i < w[o].length; i++) {
          if (i != o && w[o][i] != 0) {
            diagonal = false;
            break;
          }
        }
      }
      double[] os = null;
      double[] ot = null;
      if (!stages.isEmpty() && diagonal) {
        // trailing element-wise affine: applied after decryption, costs no level
        os = new double[w.length];
        ot = b.clone();
        for (int i = 0; i < w.length; i++) {
          os[i] = w[i][i];
        }
      } else {
        stages.add(new PlainModel.Affine(w, b));
      }
      int in = ((PlainModel.Affine) stages.get(0)).in();
      if (inputDim > 0 && in != inputDim) {
        throw new IllegalArgumentException("first layer width " + in + " differs from the input width " + inputDim);
      }
      return new PlainModel(in, stages, os, ot, post);
    }
  }
}
