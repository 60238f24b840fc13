package dev.warden.crypto.secagg;

import java.time.Instant;
import java.util.Map;

/**
 * A public snapshot of a round for the status endpoint and metrics. {@link #toJson()} gives the body of
 * {@code GET /v1/fl/rounds/{id}/status}.
 *
 * @param roundId the round
 * @param state open phase name, {@code COMPLETE} or {@code FAILED}
 * @param failureReason why it failed, or null
 * @param cohortSize n
 * @param threshold t
 * @param requiredSurvivors max(t, policy minimum)
 * @param expected clients expected in the open phase
 * @param received clients heard from in the open phase
 * @param phaseDeadline when the open phase closes at the latest (null when ended)
 * @param survivors survivors of each closed phase
 * @param bytesReceived client bytes accepted per phase
 * @param createdAt creation time
 * @param endedAt when the round completed or failed (null while running); with createdAt, the round's duration
 */
public record RoundStatus(String roundId, String state, String failureReason, int cohortSize, int threshold, int requiredSurvivors,
    int expected, int received, Instant phaseDeadline, Map<Phase, Integer> survivors, Map<Phase, Long> bytesReceived, Instant createdAt, Instant endedAt) {

  public boolean failed() {
    return "FAILED".equals(state);
  }

  public boolean complete() {
    return "COMPLETE".equals(state);
  }

  public String toJson() {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"roundId\":").append(q(roundId)).append(",\"state\":").append(q(state));
    if (failureReason != null) b.append(",\"failureReason\":").append(q(failureReason));
    b.append(",\"cohortSize\":").append(cohortSize).append(",\"threshold\":").append(threshold)
        .append(",\"requiredSurvivors\":").append(requiredSurvivors).append(",\"expected\":").append(expected)
        .append(",\"received\":").append(received);
    if (phaseDeadline != null) b.append(",\"phaseDeadline\":").append(q(phaseDeadline.toString()));
    b.append(",\"survivors\":{");
    String sep = "";
    for (var e : survivors.entrySet()) {
      b.append(sep).append(q(e.getKey().name())).append(':').append(e.getValue());
      sep = ",";
    }
    b.append("},\"bytesReceived\":{");
    sep = "";
    for (var e : bytesReceived.entrySet()) {
      b.append(sep).append(q(e.getKey().name())).append(':').append(e.getValue());
      sep = ",";
    }
    b.append("},\"createdAt\":").append(q(createdAt.toString()));
    if (endedAt != null) b.append(",\"endedAt\":").append(q(endedAt.toString()));
    return b.append('}').toString();
  }

  private static String q(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
