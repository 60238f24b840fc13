/**
 * The HE backend ({@code warden he-backend}): an untrusted compute party that evaluates signed, compiled
 * models on ciphertexts with public evaluation keys; see {@link dev.warden.gateway.he.backend.HeBackendServer}.
 */
package dev.warden.gateway.he.backend;
