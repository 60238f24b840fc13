package dev.warden.detectors.screen;

import dev.warden.detectors.digest.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * What the screens look at for one request: who sent it, which route and model, and either the
 * parsed input tensors (OIP / TF-Serving) or the prompt text (OpenAI chat: the concatenated message
 * contents).
 */
public final class ScreenInput {
  private final String tenant;
  private final String route;
  private final String model;
  private final List<Tensor> tensors;
  private final String text;

  private ScreenInput(String tenant, String route, String model, List<Tensor> tensors, String text) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.route = Objects.requireNonNull(route, "route");
    this.model = Objects.requireNonNull(model, "model");
    this.tensors = tensors;
    this.text = text;
  }

  /** A tensor request. */
  public static ScreenInput ofTensors(String tenant, String route, String model, List<Tensor> tensors) {
    return new ScreenInput(tenant, route, model, List.copyOf(tensors), null);
  }

  /** A text request. */
  public static ScreenInput ofText(String tenant, String route, String model, String text) {
    return new ScreenInput(tenant, route, model, null, Objects.requireNonNull(text, "text"));
  }

  public String tenant() { return tenant; }

  public String route() { return route; }

  public String model() { return model; }

  /** Whether this is a tensor request. */
  public boolean hasTensors() { return tensors != null; }

  /** Whether this is a text request. */
  public boolean hasText() { return text != null; }

  /** The tensors (empty for text requests). */
  public List<Tensor> tensors() { return tensors == null ? List.of() : tensors; }

  /** The text, or null. */
  public String text() { return text; }

  /**
   * The first numeric tensor's values as floats (the image screens look at one image).
   *
   * @throws IllegalArgumentException if there is none
   */
  public float[] firstNumericTensor() {
    for (Tensor t : tensors()) {
      if (t.datatype() != dev.warden.detectors.digest.DataType.BYTES) return t.toFloatArray();
    }
    throw new IllegalArgumentException("request has no numeric input tensor");
  }

  @Override
  public String toString() {
    return "ScreenInput[tenant=" + tenant + ", route=" + route + ", model=" + model
        + (tensors != null ? ", tensors=" + tensors : ", text " + text.length() + " chars") + "]";
  }
}
