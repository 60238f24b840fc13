/**
 * Continuous trust status of the models a gateway serves: {@link
 * dev.warden.verifier.registry.ModelTrustRegistry} verifies {@link dev.warden.verifier.registry.ModelSpec}s
 * at start, on reload, on file changes and on a schedule, and publishes immutable {@link
 * dev.warden.verifier.registry.ModelStatus} snapshots. Plain Java: no Vert.x; threading is documented on the
 * registry.
 */
package dev.warden.verifier.registry;
