/**
 * The gateway side of the HE route: the gateway is the key holder. {@link dev.warden.gateway.he.HeComputeBackend}
 * (a {@code ComputeBackend} for {@code protocol: warden-he} backends) encrypts screened inputs under
 * per-tenant key sets kept in {@link dev.warden.gateway.he.HeKeyStore} (AES-GCM at rest under a KEK),
 * calls the untrusted backend ({@code dev.warden.gateway.he.backend}), safely decrypts and answers in the
 * client's protocol with {@code Warden-Compute: he}. Configured by the policy's {@code spec.he}
 * ({@link dev.warden.gateway.he.HeConfig}). Data flow and trust split: {@code docs/he.md}.
 */
package dev.warden.gateway.he;
