package dev.warden.gateway.runtime;

import dev.warden.gateway.pipeline.Stage;
import dev.warden.policies.Specs.Route;
import java.util.List;

/** A route with its stages in phase order, built once per policy. */
public record RouteRuntime(Route route, List<Stage> stages, boolean rewritesResponse) {}
