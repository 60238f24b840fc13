/**
 * Shared state for several replicas ({@code spec.state.store: redis}): the Redis target every Redis-backed part
 * of the gateway connects to (rate limits, the query-attack store, the privacy ledger).
 */
package dev.warden.gateway.state;
