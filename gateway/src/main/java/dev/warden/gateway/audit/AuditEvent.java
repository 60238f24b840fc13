package dev.warden.gateway.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as the audit trail records it. Immutable and safe to hand from an event-loop thread
 * to the audit writer thread.
 *
 * <p>Fields that are not known for a request (no tenant on a 401, no digest before the model was
 * verified) are {@code null} and written as JSON {@code null}. {@link #extra()} carries values of
 * later capabilities (privacy epsilon spent, token usage, …): keys are strings, values are
 * {@code String}, {@code Boolean}, finite {@code Number}, {@code null}, or lists / string-keyed maps
 * of those; anything else is refused by {@link Builder#build()}, so the writer thread can never
 * fail on an event.
 */
public final class AuditEvent {

  /** One pipeline stage's outcome, in pipeline order. */
  public record Stage(String stage, String verdict, String detail) {
    public Stage {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(verdict, "verdict");
    }
  }

  private final Instant time;
  private final String requestId;
  private final String replicaId;
  private final String tenant;
  private final String route;
  private final String protocol;
  private final String model;
  private final String modelVersion;
  private final String modelDigest;
  private final String inputDigest;
  private final String compute;
  private final List<Stage> stages;
  private final int status;
  private final String code;
  private final double latencyMs;
  private final Map<String, Object> extra;

  private AuditEvent(Builder b) {
    this.time = b.time != null ? b.time : Instant.now();
    this.requestId = b.requestId;
    this.replicaId = b.replicaId;
    this.tenant = b.tenant;
    this.route = b.route;
    this.protocol = b.protocol;
    this.model = b.model;
    this.modelVersion = b.modelVersion;
    this.modelDigest = b.modelDigest;
    this.inputDigest = b.inputDigest;
    this.compute = b.compute;
    this.stages = List.copyOf(b.stages);
    this.status = b.status;
    this.code = b.code;
    this.latencyMs = b.latencyMs;
    this.extra =
        b.extra.isEmpty()
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** When the request arrived; written as RFC 3339 UTC with milliseconds. */
  public Instant time() { return time; }
  public String requestId() { return requestId; }
  /** The replica that served the request; {@code null} means "the log's replica". */
  public String replicaId() { return replicaId; }
  public String tenant() { return tenant; }
  public String route() { return route; }
  /** {@code oip}, {@code tf}, {@code openai}, … */
  public String protocol() { return protocol; }
  public String model() { return model; }
  public String modelVersion() { return modelVersion; }
  public String modelDigest() { return modelDigest; }
  public String inputDigest() { return inputDigest; }
  /** {@code plain}, {@code he}, … */
  public String compute() { return compute; }
  public List<Stage> stages() { return stages; }
  /** HTTP status returned to the client. */
  public int status() { return status; }
  /** Stable error code ({@code backend_unavailable}, …) or {@code null} on success. */
  public String code() { return code; }
  public double latencyMs() { return latencyMs; }
  public Map<String, Object> extra() { return extra; }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("AuditEvent[");
    sb.append(AuditFormat.formatTime(time));
    if (requestId != null) sb.append(" id=").append(requestId);
    if (tenant != null) sb.append(" tenant=").append(tenant);
    if (route != null) sb.append(" route=").append(route);
    if (model != null) {
      sb.append(" model=").append(model);
      if (modelVersion != null) sb.append(':').append(modelVersion);
    }
    sb.append(" status=").append(status);
    if (code != null) sb.append(" code=").append(code);
    sb.append(" latencyMs=").append(latencyMs);
    sb.append(" stages=").append(stages.size());
    if (!extra.isEmpty()) sb.append(" extra=").append(extra.keySet());
    return sb.append(']').toString();
  }

  /** Collects the fields of one event; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private Instant time;
    private String requestId;
    private String replicaId;
    private String tenant;
    private String route;
    private String protocol;
    private String model;
    private String modelVersion;
    private String modelDigest;
    private String inputDigest;
    private String compute;
    private final List<Stage> stages = new ArrayList<>();
    private int status = -1;
    private String code;
    private double latencyMs;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    /** Defaults to {@link Instant#now()} at {@link #build()}. */
    public Builder time(Instant v) { this.time = v; return this; }
    public Builder requestId(String v) { this.requestId = v; return this; }
    public Builder replicaId(String v) { this.replicaId = v; return this; }
    public Builder tenant(String v) { this.tenant = v; return this; }
    public Builder route(String v) { this.route = v; return this; }
    public Builder protocol(String v) { this.protocol = v; return this; }
    public Builder model(String v) { this.model = v; return this; }
    public Builder modelVersion(String v) { this.modelVersion = v; return this; }
    public Builder modelDigest(String v) { this.modelDigest = v; return this; }
    public Builder inputDigest(String v) { this.inputDigest = v; return this; }
    public Builder compute(String v) { this.compute = v; return this; }
    public Builder status(int v) { this.status = v; return this; }
    public Builder code(String v) { this.code = v; return this; }
    public Builder latencyMs(double v) { this.latencyMs = v; return this; }

    /** Appends one stage outcome; call in pipeline order. */
    public Builder stage(String stage, String verdict, String detail) {
      stages.add(new Stage(stage, verdict, detail));
      return this;
    }

    public Builder stages(List<Stage> all) {
      stages.clear();
      for (Stage s : all) stages.add(Objects.requireNonNull(s, "stage"));
      return this;
    }

    /** Adds a value for a later capability; see {@link AuditEvent} for the allowed types. */
    public Builder extra(String key, Object value) {
      Objects.requireNonNull(key, "extra key");
      extra.put(key, value);
      return this;
    }

    public AuditEvent build() {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status must be an HTTP status 100..599, got " + status);
      }
      if (!Double.isFinite(latencyMs) || latencyMs < 0) {
        throw new IllegalArgumentException("latencyMs must be finite and >= 0, got " + latencyMs);
      }
      // Deep, immutable copy: the writer thread reads the event after the caller moved on.
      for (Map.Entry<String, Object> e : extra.entrySet()) {
        e.setValue(freeze("extra." + e.getKey(), e.getValue(), 0));
      }
      return new AuditEvent(this);
    }

    private static Object freeze(String path, Object v, int depth) {
      if (depth > 8) {
        throw new IllegalArgumentException(path + ": nested deeper than 8 levels");
      }
      if (v == null || v instanceof String || v instanceof Boolean) {
        return v;
      }
      if (v instanceof Double || v instanceof Float) {
        if (!Double.isFinite(((Number) v).doubleValue())) {
          throw new IllegalArgumentException(path + ": must be finite, got " + v);
        }
        return v;
      }
      if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
          || v instanceof java.math.BigInteger || v instanceof java.math.BigDecimal) {
        return v;
      }
      if (v instanceof List<?> l) {
        List<Object> copy = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) copy.add(freeze(path + "[" + i + "]", l.get(i), depth + 1));
        return Collections.unmodifiableList(copy);
      }
      if (v instanceof Map<?, ?> m) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String k)) {
            throw new IllegalArgumentException(path + ": map keys must be strings");
          }
          copy.put(k, freeze(path + "." + k, e.getValue(), depth + 1));
        }
        return Collections.unmodifiableMap(copy);
      }
      throw new IllegalArgumentException(
          path + ": unsupported type " + v.getClass().getName()
              + " (use String, Boolean, a finite Number, List or Map)");
    }
  }
}
