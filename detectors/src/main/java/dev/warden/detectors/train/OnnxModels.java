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
