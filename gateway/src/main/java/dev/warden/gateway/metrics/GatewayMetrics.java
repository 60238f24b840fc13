package dev.warden.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics under the names ARCHITECTURE.md fixes. Meter lookups on the
 * request path go through small caches keyed by label values, so a request costs a map lookup and an
 * atomic add, not a registry search.
 */
public final class GatewayMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> durations = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> flags = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> tokens = new ConcurrentHashMap<>();
  private final java.util.List<Object> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Counter reloadFailures;
  private final Counter reloads;

  public GatewayMetrics() {
    reloadFailures = Counter.builder("warden_policy_reload_failures")
        .description("Policy reloads refused because the new policy was invalid (the last good one stays)")
        .register(registry);
    reloads = Counter.builder("warden_policy_reloads")
        .description("Policies loaded successfully, including the first").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One finished request. */
  public void request(String route, int status, long nanos) {
    String key = route + '\u0000' + status;
    Counter c = requests.get(key);
    if (c == null) {
      c = requests.computeIfAbsent(key, k -> Counter.builder("warden_requests")
          .description("Requests by route and HTTP status")
          .tag("route", route).tag("status", Integer.toString(status)).register(registry));
    }
    c.increment();
    Timer t = durations.get(route);
    if (t == null) {
      t = durations.computeIfAbsent(route, r -> Timer.builder("warden_request_duration")
          .description("Time from request to the end of the response, at the gateway")
          .tag("route", r)
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry));
    }
    t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void screeningFlag(String screen, String action) {
    flags.computeIfAbsent(screen + '\u0000' + action, k -> Counter.builder("warden_screening_flags")
        .description("Inputs flagged by a screen, by the action taken")
        .tag("screen", screen).tag("action", action).register(registry)).increment();
  }

  public void tokens(String route, String kind, long n) {
    if (n <= 0) {
      return;
    }
    tokens.computeIfAbsent(route + '\u0000' + kind, k -> Counter.builder("warden_tokens")
        .description("Tokens reported by OpenAI-compatible backends")
        .tag("route", route).tag("kind", kind).register(registry)).increment(n);
  }

  public void reloadFailed() {
    reloadFailures.increment();
  }

  public void reloaded() {
    reloads.increment();
  }

  public double reloadFailures() {
    return reloadFailures.count();
  }

  /** Registers a gauge read on scrape (e.g. a model's verification state). */
  public void gauge(String name, String description, String tagKey, String tagValue, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).tag(tagKey, tagValue).strongReference(true)
        .register(registry);
  }

  /** Registers a counter whose value is read on scrape from a monotonic source. */
  public void functionCounter(String name, String description, String tagKey, String tagValue,
      java.util.function.DoubleSupplier value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, value, java.util.function.DoubleSupplier::getAsDouble)
        .description(description).tag(tagKey, tagValue).register(registry);
    sources.add(value); // the registry holds it weakly
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
