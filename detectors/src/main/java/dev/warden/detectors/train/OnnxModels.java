package dev.warden.detectors.train;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;

/** Turns a graph built with tribuo-util-onnx into serialised ONNX model bytes. */
public final class OnnxModels {
  /** The ONNX operator set the exported models use (tribuo-util-onnx 4.3's). */
  public static final int OPSET = 13;
  /** ONNX IR version matching opset 13 (ONNX 1.8). */
  static final long IR_VERSION = 7;

  private OnnxModels() {}

  /** Serialises the graph of {@code ctx} as an ONNX model with the default-domain opset import. */
  public static byte[] serialize(ONNXContext ctx, String producer) {
    OnnxMl.ModelProto model = OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(ONNXOperators.getOpsetProto())
        .setProducerName("warden-detectors")
        .setDocString(producer)
        .setGraph(ctx.buildGraph())
        .build();
    return model.toByteArray();
  }

  /**
   * A tiny embedding-bag text classifier (for tests and examples of the text-classifier slot): int64
   * {@code input_ids} and {@code attention_mask} {@code [1, seq]} → Gather rows of {@code embeddings}
   * → mean over the sequence → Gemm with {@code weights} {@code [dim, classes]} and {@code bias} →
   * FP32 {@code logits} {@code [1, classes]}. The mask is declared (as exported transformers have it)
   * but not used: windows are fed unpadded.
   */
  public static byte[] embeddingBagClassifier(float[][] embeddings, float[][] weights, float[] bias) {
    int dim = embeddings[0].length;
    int classes = bias.length;
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("warden-embedding-bag");
    g.addInput(tensorInfo("input_ids", OnnxMl.TensorProto.DataType.INT64, -1, -1));
    g.addInput(tensorInfo("attention_mask", OnnxMl.TensorProto.DataType.INT64, -1, -1));
    g.addOutput(tensorInfo("logits", OnnxMl.TensorProto.DataType.FLOAT, -1, classes));
    g.addInitializer(floats("embeddings", embeddings));
    g.addInitializer(floats("weights", weights));
    g.addInitializer(floats("bias", new float[][] {bias}).toBuilder().clearDims().addDims(classes).build());
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gather").addInput("embeddings").addInput("input_ids")
        .addOutput("bag").setName("gather"));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("ReduceMean").addInput("bag").addOutput("mean").setName("mean")
        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axes").setType(OnnxMl.AttributeProto.AttributeType.INTS)
            .addInts(1))
        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims").setType(OnnxMl.AttributeProto.AttributeType.INT)
            .setI(0)));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gemm").addInput("mean").addInput("weights").addInput("bias")
        .addOutput("logits").setName("gemm"));
    if (weights.length != dim) throw new IllegalArgumentException("weights must have " + dim + " rows");
    return OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION).addOpsetImport(ONNXOperators.getOpsetProto())
        .setProducerName("warden-detectors").setDocString("embedding-bag text classifier").setGraph(g).build()
        .toByteArray();
  }

  private static OnnxMl.ValueInfoProto tensorInfo(String name, OnnxMl.TensorProto.DataType type, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (int i = 0; i < dims.length; i++) {
      shape.addDim(dims[i] < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(i == 0 ? "batch" : "seq")
          : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder().setTensorType(
        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
  }

  private static OnnxMl.TensorProto floats(String name, float[][] rows) {
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(rows.length).addDims(rows[0].length);
    for (float[] r : rows) for (float v : r) t.addFloatData(v);
    return t.build();
  }

  /** Default-domain operators missing from tribuo-util-onnx's {@link ONNXOperators}. */
  public enum ExtraOps implements ONNXOperator {
    /** Relu (opset 13 form: one input, one output, no attributes). */
    RELU("Relu"),
    /** Abs. */
    ABS("Abs");

    private final String opName;

    ExtraOps(String opName) { this.opName = opName; }

    @Override public String getOpName() { return opName; }
    @Override public int getNumInputs() { return 1; }
    @Override public int getNumOptionalInputs() { return 0; }
    @Override public int getNumOutputs() { return 1; }
    @Override public Map<String, ONNXAttribute> getAttributes() { return Map.of(); }
    @Override public Set<String> getMandatoryAttributeNames() { return Set.of(); }
    @Override public int getOpVersion() { return OPSET; }
    @Override public String getOpDomain() { return ""; }
  }
}
