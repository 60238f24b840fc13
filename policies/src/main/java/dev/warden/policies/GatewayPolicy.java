package dev.warden.policies;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.policies.Specs.Audit;
import dev.warden.policies.Specs.Backend;
import dev.warden.policies.Specs.Limits;
import dev.warden.policies.Specs.Model;
import dev.warden.policies.Specs.Route;
import dev.warden.policies.Specs.State;
import dev.warden.policies.Specs.Tenant;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, schema-valid and cross-checked policy. Immutable: a reload builds a new one and the
 * gateway swaps it in atomically, so a request sees exactly one policy from start to end.
 *
 * @param version the first 16 hex digits of the SHA-256 of the substituted policy text
 */
public record GatewayPolicy(
    String name,
    String version,
    Path source,
    Instant loadedAt,
    Mode mode,
    Limits limits,
    List<Tenant> tenants,
    Map<String, Backend> backends,
    List<Model> models,
    List<Route> routes,
    Optional<Audit> audit,
    State state,
    JsonNode raw,
    LocatedTree located) {

  /** A problem located at the YAML node of {@code pointer} (or its nearest located parent). */
  public PolicyProblem problemAt(String pointer, String message) {
    return located.problemAtValue(pointer, message);
  }

  /** The first route that matches, or empty. */
  public Optional<Route> route(Protocol protocol, String model, String version) {
    for (Route r : routes) {
      if (r.matches(protocol, model, version)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "GatewayPolicy[" + name + " " + version + " from " + source + "]";
  }
}
