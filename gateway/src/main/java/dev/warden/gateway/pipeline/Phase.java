package dev.warden.gateway.pipeline;

/**
 * The numbered steps of a request's way through the gateway (ARCHITECTURE.md), in order. Every
 * {@link Stage} declares one; the pipeline refuses, at policy load, a stage list that is out of this
 * order, so a screening stage can never run before the tenant is known.
 */
public enum Phase {
  /** 1: who is calling (API key, JWT, mTLS SAN). */
  IDENTIFY,
  /** 2: which route (protocol + model + version), tenant allowed on it. */
  ROUTE,
  /** 2b: per-tenant rate limit on the route. */
  RATE_LIMIT,
  /** 3: the routed model's files are verified. */
  TRUST,
  /** 4: body read within limits and parsed into the tensor/message model. */
  PARSE,
  /** 5: canonical input digest, deny-list, verdict cache. */
  DIGEST,
  /** 6: query-attack store, ONNX detectors, text scanners. */
  SCREEN,
  /** 7: privacy budget debit. */
  PRIVACY_ADMISSION,
  /** 8: choose plain or HE backend and forward. */
  COMPUTE,
  /** 9: output rewriting (DP noise, top-k, rounding) on the way back. */
  OUTPUT
}
