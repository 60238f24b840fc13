package dev.warden.gateway.pipeline;

import dev.warden.policies.Protocol;

/** The data-plane endpoints the gateway understands, with the protocol each belongs to. */
public enum Endpoint {
  OIP_INFER(Protocol.OIP, true),
  OIP_MODEL_METADATA(Protocol.OIP, false),
  OIP_MODEL_READY(Protocol.OIP, false),
  OIP_SERVER_METADATA(Protocol.OIP, false),
  OIP_HEALTH(Protocol.OIP, false),
  TF_PREDICT(Protocol.TF, true),
  TF_MODEL_STATUS(Protocol.TF, false),
  OPENAI_CHAT(Protocol.OPENAI, true),
  OPENAI_MODELS(Protocol.OPENAI, false),
  /** Secure-aggregation rounds under {@code /v1/fl/...}: not an inference protocol (protocol null); served by
   * {@code dev.warden.gateway.fl.FederatedEndpoints}, which sub-routes the path itself. */
  FL_ROUNDS(null, false);

  private final Protocol protocol;
  private final boolean inference;

  Endpoint(Protocol protocol, boolean inference) {
    this.protocol = protocol;
    this.inference = inference;
  }

  public Protocol protocol() {
    return protocol;
  }

  /** Whether requests carry an input to parse, screen and account for. */
  public boolean inference() {
    return inference;
  }
}
