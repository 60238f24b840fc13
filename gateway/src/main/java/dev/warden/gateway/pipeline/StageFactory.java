package dev.warden.gateway.pipeline;

import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.Route;
import java.util.List;
import java.util.Set;

/**
 * The extension point for capabilities (trust gate, screening, privacy, HE routing): a factory turns
 * a route's policy settings into zero or more {@link Stage}s, once per policy load. Problems with the
 * settings go to {@code problems} located with {@link GatewayPolicy#problemAt}, so a bad setting keeps
 * the last good policy and says where it is.
 *
 * <p>Register a factory with {@code Gateway.Builder#stage(StageFactory)}.
 */
public interface StageFactory {
  /** Route keys this factory is responsible for (e.g. {@code privacy}); a route using a key no
   * registered factory handles is refused rather than silently served without that protection. */
  Set<String> routeKeys();

  /** The stages for {@code route}; empty when the route does not use this capability. */
  List<Stage> create(GatewayPolicy policy, Route route, List<PolicyProblem> problems);
}
