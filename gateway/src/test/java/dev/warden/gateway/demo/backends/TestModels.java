package dev.warden.gateway.demo.backends;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/** Real ONNX models written by the tests: built with tribuo-util-onnx or by hand with the ONNX protobuf. */
final class TestModels {
  private TestModels() {}

  /**
   * A linear classifier shaped like the demo's digits model: input {@code input} FP32 [batch, 64], output
   * {@code probabilities} = softmax(input x W + b), FP32 [batch, 10]. Weights from a fixed seed.
   */
  static Path digitsLike(Path dir) throws IOException {
    Random rnd = new Random(20261124L);
    ONNXContext ctx = new ONNXContext();
    ctx.setName("digits-like");
    ONNXPlaceholder input = ctx.floatInput("input", 64);
    ONNXPlaceholder output = ctx.floatOutput("probabilities", 10);
    ONNXInitializer w = ctx.floatTensor("W", List.of(64, 10), fb -> {
      while (fb.hasRemaining()) {
        fb.put((float) (rnd.nextGaussian() * 0.05));
      }
    });
    ONNXInitializer b = ctx.floatTensor("b", List.of(10), fb -> {
      while (fb.hasRemaining()) {
        fb.put((float) (rnd.nextGaussian() * 0.1));
      }
    });
    ONNXNode logits = input.apply(ONNXOperators.GEMM, List.<ONNXRef<?>>of(w, b));
    logits.apply(ONNXOperators.SOFTMAX, Map.of("axis", 1)).assignTo(output);
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("warden-test")
        .addOpsetImport(ONNXOperators.getOpsetProto())
        .setGraph(ctx.buildGraph())
        .build();
    Path file = dir.resolve("digits-like.onnx");
    Files.write(file, model.toByteArray());
    return file;
  }

  /**
   * A model over several datatypes, written with the ONNX protobuf classes: inputs {@code a} FP64,
   * {@code b} INT64, {@code c} INT32, each [batch, 3]; outputs {@code a2 = a + a}, {@code b2 = b + b},
   * {@code c_out = c}.
   */
  static Path typed(Path dir) throws IOException {
    OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
        .setName("typed")
        .addInput(value("a", OnnxMl.TensorProto.DataType.DOUBLE))
        .addInput(value("b", OnnxMl.TensorProto.DataType.INT64))
        .addInput(value("c", OnnxMl.TensorProto.DataType.INT32))
        .addOutput(value("a2", OnnxMl.TensorProto.DataType.DOUBLE))
        .addOutput(value("b2", OnnxMl.TensorProto.DataType.INT64))
        .addOutput(value("c_out", OnnxMl.TensorProto.DataType.INT32))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").setName("add_a").addInput("a").addInput("a").addOutput("a2"))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").setName("add_b").addInput("b").addInput("b").addOutput("b2"))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("id_c").addInput("c").addOutput("c_out"))
        .build();
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(7)
        .setProducerName("warden-test")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build();
    Path file = dir.resolve("typed.onnx");
    Files.write(file, model.toByteArray());
    return file;
  }

  private static OnnxMl.ValueInfoProto value(String name, OnnxMl.TensorProto.DataType type) {
    OnnxMl.TensorShapeProto shape = OnnxMl.TensorShapeProto.newBuilder()
        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(3))
        .build();
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
            OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }
}
