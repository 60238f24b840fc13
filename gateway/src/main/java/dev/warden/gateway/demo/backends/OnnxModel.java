package dev.warden.gateway.demo.backends;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.warden.detectors.digest.DataType;
import dev.warden.gateway.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX model loaded into one {@link OrtSession}, created once and reused by every request (ONNX Runtime
 * sessions are safe for concurrent {@code run} calls). Each run uses one intra-op thread: the server runs
 * requests in parallel on its worker pool instead, which suits small models best.
 */
final class OnnxModel implements AutoCloseable {
  /** Name, OIP and ONNX datatype, and shape (-1 for a dynamic dimension) of one model input or output. */
  record IoSpec(String name, DataType type, OnnxJavaType onnxType, long[] shape) {}

  /** The only version each demo model has. */
  static final String VERSION = "1";

  private final String name;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<IoSpec> inputs;
  private final List<IoSpec> outputs;

  private OnnxModel(String name, OrtEnvironment env, OrtSession session, List<IoSpec> inputs,
      List<IoSpec> outputs) {
    this.name = name;
    this.env = env;
    this.session = session;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  /**
   * Loads a model file.
   *
   * @throws IllegalArgumentException when the file does not load or uses a tensor type this server does not
   *     support (the message names the model, the file and the cause)
   */
  static OnnxModel load(String name, Path file) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(file.toString(), options);
      List<IoSpec> in = specs(name, session.getInputInfo());
      List<IoSpec> out = specs(name, session.getOutputInfo());
      return new OnnxModel(name, env, session, in, out);
    } catch (OrtException | RuntimeException e) {
      if (session != null) {
        try {
          session.close();
        } catch (OrtException ignored) {
          // the load failure is the error worth reporting
        }
      }
      throw new IllegalArgumentException("model '" + name + "' (" + file + ") does not load: " + e.getMessage(), e);
    }
  }

  private static List<IoSpec> specs(String model, Map<String, NodeInfo> infos) {
    List<IoSpec> specs = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new IllegalArgumentException(model + ": " + node.getName() + " is not a tensor");
      }
      DataType type = dataType(info.type);
      if (type == null) {
        throw new IllegalArgumentException(model + ": " + node.getName() + " has unsupported type " + info.type);
      }
      specs.add(new IoSpec(node.getName(), type, info.type, info.getShape()));
    }
    return List.copyOf(specs);
  }

  String name() {
    return name;
  }

  List<IoSpec> inputs() {
    return inputs;
  }

  List<IoSpec> outputs() {
    return outputs;
  }

  /**
   * Runs the model.
   *
   * @param given every model input exactly once
   * @param wanted output names in the order to return them; empty means all outputs in model order
   * @throws BackendException (422) when an input is missing, unknown, repeated or of the wrong datatype or
   *     shape, or an output name is unknown
   */
  List<Tensor> run(List<Tensor> given, List<String> wanted) {
    Map<String, Tensor> byName = new LinkedHashMap<>();
    for (Tensor t : given) {
      if (byName.put(t.name(), t) != null) {
        throw BackendException.invalidInput("inputs: '" + t.name() + "' is given twice");
      }
    }
    for (String n : byName.keySet()) {
      if (inputs.stream().noneMatch(s -> s.name().equals(n))) {
        throw BackendException.invalidInput("inputs: model '" + name + "' has no input '" + n + "'");
      }
    }
    Set<String> outNames = new LinkedHashSet<>();
    if (wanted.isEmpty()) {
      outputs.forEach(o -> outNames.add(o.name()));
    } else {
      for (String w : wanted) {
        if (outputs.stream().noneMatch(s -> s.name().equals(w))) {
          throw BackendException.invalidInput("outputs: model '" + name + "' has no output '" + w + "'");
        }
        outNames.add(w);
      }
    }
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (IoSpec spec : inputs) {
        Tensor t = byName.get(spec.name());
        if (t == null) {
          throw BackendException.invalidInput("inputs: missing input '" + spec.name() + "'");
        }
        check(spec, t);
        feed.put(spec.name(), OnnxTensor.createTensor(env, toNative(t), t.shape(), spec.onnxType()));
      }
      try (OrtSession.Result result = session.run(feed, outNames)) {
        List<Tensor> out = new ArrayList<>(outNames.size());
        for (String n : outNames) {
          OnnxValue value = result.get(n).orElseThrow();
          if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("output " + n + " is not a tensor");
          }
          DataType type = dataType(tensor.getInfo().type);
          ByteBuffer bytes = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
          out.add(new Tensor(n, type, tensor.getInfo().getShape(), toLittleEndian(bytes, type),
              JsonNodeFactory.instance.objectNode()));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new BackendException(500, "inference_failed", "model '" + name + "' failed: " + e.getMessage());
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  private static void check(IoSpec spec, Tensor t) {
    if (t.datatype() != spec.type()) {
      throw BackendException.invalidInput("inputs['" + t.name() + "'].datatype: model expects "
          + spec.type() + ", got " + t.datatype());
    }
    long[] shape = t.shape();
    boolean ok = shape.length == spec.shape().length;
    for (int i = 0; ok && i < shape.length; i++) {
      ok = spec.shape()[i] < 0 || spec.shape()[i] == shape[i];
    }
    if (!ok) {
      throw BackendException.invalidInput("inputs['" + t.name() + "'].shape: model expects "
          + Arrays.toString(spec.shape()) + " (-1 = any), got " + Arrays.toString(shape));
    }
  }

  /** The OIP datatype of an ONNX Runtime element type; {@code null} when this server does not support it. */
  private static DataType dataType(OnnxJavaType type) {
    return switch (type) {
      case BOOL -> DataType.BOOL;
      case UINT8 -> DataType.UINT8;
      case INT8 -> DataType.INT8;
      case INT16 -> DataType.INT16;
      case INT32 -> DataType.INT32;
      case INT64 -> DataType.INT64;
      case FLOAT -> DataType.FP32;
      case DOUBLE -> DataType.FP64;
      default -> null;
    };
  }

  /** A direct, native-order copy of the tensor bytes, as ONNX Runtime wants them. */
  private static ByteBuffer toNative(Tensor t) {
    ByteBuffer src = ByteBuffer.wrap(t.data());
    ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.datatype().size() == 1) {
      dst.put(src);
    } else {
      swapInto(src, dst, t.datatype().size());
    }
    return dst.flip();
  }

  /** The tensor bytes in little-endian order (the OIP wire order). */
  private static byte[] toLittleEndian(ByteBuffer nativeBytes, DataType type) {
    ByteBuffer src = nativeBytes.duplicate();
    byte[] out = new byte[src.remaining()];
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || type.size() == 1) {
      src.get(out);
    } else {
      swapInto(src, ByteBuffer.wrap(out), type.size());
    }
    return out;
  }

  private static void swapInto(ByteBuffer src, ByteBuffer dst, int width) {
    byte[] element = new byte[width];
    while (src.remaining() >= width) {
      src.get(element);
      for (int i = width - 1; i >= 0; i--) {
        dst.put(element[i]);
      }
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing model '" + name + "': " + e.getMessage(), e);
    }
  }
}
