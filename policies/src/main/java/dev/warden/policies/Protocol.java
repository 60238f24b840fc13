package dev.warden.policies;

/** Wire protocols a route matches or a backend speaks. */
public enum Protocol {
  /** KServe / Triton Open Inference Protocol v2 (REST, JSON and binary tensors). */
  OIP("oip"),
  /** TF-Serving / KServe v1 {@code :predict}. */
  TF("tf"),
  /** OpenAI-compatible chat completions, with SSE streaming. */
  OPENAI("openai"),
  /** Warden's homomorphic-encryption backend (ciphertexts only). */
  WARDEN_HE("warden-he");

  private final String wire;

  Protocol(String wire) {
    this.wire = wire;
  }

  public String wireName() {
    return wire;
  }

  static Protocol parse(String s) {
    for (Protocol p : values()) {
      if (p.wire.equals(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown protocol " + s);
  }
}
