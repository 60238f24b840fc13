package dev.warden.gateway.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * An OIP v2 inference request or response (or a TF-Serving predict body) decoded into tensors.
 * The original bytes are kept, so that an exchange whose tensors no stage modified is forwarded
 * byte-exact; {@link OipCodec#encode} re-encodes only when something changed.
 */
public final class InferenceMessage {
  private final ObjectNode header;
  private final List<Tensor> tensors;
  private final boolean binary;
  private final Buffer original;
  private final int originalHeaderLength;
  /** Codec-private description of the body's layout (TF row/columnar form), or null. */
  private final Object layout;

  InferenceMessage(ObjectNode header, List<Tensor> tensors, boolean binary, Buffer original,
      int originalHeaderLength) {
    this(header, tensors, binary, original, originalHeaderLength, null);
  }

  InferenceMessage(ObjectNode header, List<Tensor> tensors, boolean binary, Buffer original,
      int originalHeaderLength, Object layout) {
    this.header = header;
    this.tensors = List.copyOf(tensors);
    this.binary = binary;
    this.original = original;
    this.originalHeaderLength = originalHeaderLength;
    this.layout = layout;
  }

  Object layout() {
    return layout;
  }

  /** The JSON object (for binary bodies: the JSON header part). Stages may read ids and parameters. */
  public ObjectNode header() {
    return header;
  }

  /** Inputs of a request, outputs of a response, in message order. */
  public List<Tensor> tensors() {
    return tensors;
  }

  public Tensor tensor(String name) {
    for (Tensor t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** Whether the message used the binary tensor extension. */
  public boolean binary() {
    return binary;
  }

  public boolean modified() {
    for (Tensor t : tensors) {
      if (t.modified()) {
        return true;
      }
    }
    return false;
  }

  Buffer original() {
    return original;
  }

  int originalHeaderLength() {
    return originalHeaderLength;
  }
}
