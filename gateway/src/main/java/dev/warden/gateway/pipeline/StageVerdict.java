package dev.warden.gateway.pipeline;

/** What one stage decided for one request, as written to the audit record. */
public record StageVerdict(String stage, String verdict, String detail) {
  public static final String PASS = "pass";
  public static final String REJECT = "reject";
  /** Refused in audit mode: recorded, not enforced. */
  public static final String WOULD_REJECT = "would-reject";
  public static final String FLAG = "flag";
}
