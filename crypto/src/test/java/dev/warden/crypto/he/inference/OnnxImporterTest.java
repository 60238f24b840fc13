package dev.warden.crypto.he.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxImporterTest {
  static OnnxMl.TensorProto tensor(String name, List<Long> dims, float... v) {
    OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(1).addAllDims(dims);
    for (float f : v) {
      b.addFloatData(f);
    }
    return b.build();
  }

  static OnnxMl.ValueInfoProto value(String name, int width) {
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(
        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1).setShape(OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
  }

  static OnnxMl.NodeProto node(String op, String out, String... in) {
    return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out).addAllInput(List.of(in)).addOutput(out).build();
  }

  /** x[2] → Sub c → Gemm W[3x2] (transB) → Polynomial(0.5, 1, 0.25) → MatMul V[3x2] → Softmax. */
  static byte[] model(String activationOp) {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("t")
        .addInput(value("x", 2)).addOutput(value("y", 2))
        .addInitializer(tensor("c", List.of(2L), 1f, -1f))
        .addInitializer(tensor("W", List.of(3L, 2L), 1, 2, 3, 4, 5, 6))
        .addInitializer(tensor("b", List.of(3L), 0.5f, 0, -0.5f))
        .addInitializer(tensor("V", List.of(3L, 2L), 1, 0, 0, 1, 1, 1))
        .addNode(node("Sub", "h0", "x", "c"))
        .addNode(node("Gemm", "h1", "h0", "W", "b").toBuilder()
            .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("transB").setI(1).setType(OnnxMl.AttributeProto.AttributeType.INT)).build());
    if (activationOp.equals(OnnxImporter.POLY_OP)) {
      g.addNode(node(OnnxImporter.POLY_OP, "h2", "h1").toBuilder().setDomain(OnnxImporter.POLY_DOMAIN)
          .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("coefficients").addFloats(0.5f).addFloats(1f)
              .addFloats(0.25f).setType(OnnxMl.AttributeProto.AttributeType.FLOATS)).build());
    } else {
      g.addNode(node(activationOp, "h2", "h1"));
    }
    g.addNode(node("MatMul", "h3", "h2", "V")).addNode(node("Softmax", "y", "h3"));
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray();
  }

  @Test
  void declaredPolynomial_isFoldedAndEvaluatesLikeTheGraph() {
    PlainModel m = OnnxImporter.read(model(OnnxImporter.POLY_OP));
    assertEquals(3, m.depth(), "linear, square, linear");
    double[] x = {0.3, -0.7};
    // direct evaluation of the graph
    double[] h0 = {x[0] - 1, x[1] + 1};
    double[][] w = {{1, 2}, {3, 4}, {5, 6}};
    double[] b = {0.5, 0, -0.5};
    double[] h2 = new double[3];
    for (int o = 0; o < 3; o++) {
      double h1 = w[o][0] * h0[0] + w[o][1] * h0[1] + b[o];
      h2[o] = 0.5 + h1 + 0.25 * h1 * h1;
    }
    double[] h3 = {h2[0] + h2[2], h2[1] + h2[2]};
    assertArrayEquals(h3, m.scores(x), 1e-9);
    double[] p = m.evaluate(x);
    assertEquals(1.0, p[0] + p[1], 1e-12);
    assertEquals(PlainModel.PostProcessing.SOFTMAX, m.postProcessing());
  }

  @Test
  void nonPolynomialActivation_isRefusedNamingTheNode() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(model("Relu")));
    assertTrue(e.getMessage().contains("Relu"), e.getMessage());
  }

  @Test
  void garbage_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(new byte[] {1, 2, 3, 4, 5}));
    assertThrows(IllegalArgumentException.class, () -> OnnxImporter.read(new byte[0]));
  }

  @Test
  void compiledPolynomialModel_matchesPlainModelUnderEncryption() {
    PlainModel m = OnnxImporter.read(model(OnnxImporter.POLY_OP));
    // functional check only: a small insecure ring keeps the test fast
    CompiledModel c = CompiledModel.compile(m,
        dev.warden.crypto.he.rlwe.Parameters.insecureToyForTesting(12, new int[] {60, 40, 40, 40}, 60, 40));
    EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(c, new java.security.SecureRandom(),
        new EncryptedInference.Options(20, 0x1p-24, 20, 10, 100));
    EncryptedInference.Evaluator ev = new EncryptedInference.Evaluator(c, kh.evaluationKeys());
    double[][] xs = {{0.3, -0.7}, {1, 2}, {-1, 0.5}};
    EncryptedInference.Answer a = kh.decrypt(ev.evaluate(kh.encrypt(xs)), xs.length);
    for (int r = 0; r < xs.length; r++) {
      assertArrayEquals(m.scores(xs[r]), a.scores()[r], 1e-3);
      assertArrayEquals(m.evaluate(xs[r]), a.outputs()[r], 1e-3);
    }
    assertEquals(1, a.keyUses());
  }
}
