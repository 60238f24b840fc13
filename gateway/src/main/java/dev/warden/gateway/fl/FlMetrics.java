package dev.warden.gateway.fl;

import dev.warden.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prometheus meters of federated rounds: {@code warden_fl_round_duration} (creation to end, by outcome),
 * {@code warden_fl_rounds} (created / complete / failed), {@code warden_fl_dropouts} (clients expected in a
 * phase that did not answer before it closed, by phase), {@code warden_fl_bytes} (request and response
 * bodies, by endpoint and direction).
 */
final class FlMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  FlMetrics(GatewayMetrics metrics) {
    this.registry = metrics.registry();
  }

  void round(String outcome) {
    counter("warden_fl_rounds", "Federated rounds by outcome", "outcome", outcome).increment();
  }

  void dropouts(String phase, int n) {
    if (n > 0) {
      counter("warden_fl_dropouts", "Clients expected in a phase that did not answer before it closed", "phase", phase).increment(n);
    }
  }

  void bytes(String endpoint, String direction, long n) {
    if (n > 0) {
      counters.computeIfAbsent("warden_fl_bytes\0" + endpoint + '\0' + direction, k -> Counter.builder("warden_fl_bytes")
          .description("Federated-round request and response body bytes").baseUnit("bytes")
          .tag("endpoint", endpoint).tag("direction", direction).register(registry)).increment(n);
    }
  }

  void roundDuration(String outcome, Duration d) {
    timers.computeIfAbsent(outcome, o -> Timer.builder("warden_fl_round_duration")
        .description("Time from round creation to its end").tag("outcome", o).register(registry)).record(d);
  }

  private Counter counter(String name, String description, String tag, String value) {
    return counters.computeIfAbsent(name + '\0' + value, k -> Counter.builder(name).description(description)
        .tag(tag, value).register(registry));
  }
}
