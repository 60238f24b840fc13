package dev.warden.gateway.runtime;

import dev.warden.gateway.auth.Authenticator;
import dev.warden.gateway.upstream.BackendClient;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.Protocol;
import java.util.List;
import java.util.Map;

/**
 * Everything compiled from one policy: the authenticator, the routes with their stages, the backend
 * clients and the audit sink. Immutable; the gateway swaps the whole object on reload, so a request
 * that started under one policy finishes under it.
 */
public record PolicyRuntime(GatewayPolicy policy, Authenticator authenticator, List<RouteRuntime> routes,
    Map<String, BackendClient> backends, AuditSink audit) {

  /** The first route matching, or null. */
  public RouteRuntime match(Protocol protocol, String model, String version) {
    for (RouteRuntime r : routes) {
      if (r.route().matches(protocol, model, version)) {
        return r;
      }
    }
    return null;
  }

  /** The largest body any OpenAI route accepts: the bound while reading a body before routing. */
  public long maxOpenAiBody() {
    long max = 0;
    for (RouteRuntime r : routes) {
      if (r.route().protocol() == Protocol.OPENAI) {
        max = Math.max(max, r.route().limits().maxBodyBytes());
      }
    }
    return max == 0 ? policy.limits().maxBodyBytes() : max;
  }
}
