package dev.warden.gateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** Token counts an OpenAI-compatible backend reported ({@code usage}); -1 when not reported. */
public record TokenUsage(long promptTokens, long completionTokens, long totalTokens) {
  public static final TokenUsage UNKNOWN = new TokenUsage(-1, -1, -1);

  /** Reads {@code usage} from a completion or chunk; null when the object has none. */
  public static TokenUsage from(JsonNode completion) {
    JsonNode u = completion == null ? null : completion.get("usage");
    if (u == null || !u.isObject()) {
      return null;
    }
    return new TokenUsage(u.path("prompt_tokens").asLong(-1), u.path("completion_tokens").asLong(-1),
        u.path("total_tokens").asLong(-1));
  }

  public boolean known() {
    return totalTokens >= 0 || promptTokens >= 0;
  }
}
