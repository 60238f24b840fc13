/**
 * The policy model of Warden: {@link dev.warden.policies.PolicyLoader} reads the YAML that ops edit
 * ({@code apiVersion: warden.dev/v1alpha1, kind: GatewayPolicy}), substitutes {@code ${ENV}}, validates
 * it against the JSON Schema shipped in {@code policies/schema/} and cross-checks references, reporting
 * every problem at {@code file:line:col}. The result, {@link dev.warden.policies.GatewayPolicy}, is
 * immutable; the gateway builds each stage's runtime configuration from it and swaps it in atomically.
 *
 * <p>Secrets are never inline: the policy names files (API-key hashes, JWT keys, signing keys).
 */
package dev.warden.policies;
