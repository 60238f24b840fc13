package dev.warden.verifier;

import java.time.Instant;
import java.util.Objects;

/**
 * Who signed a model.
 *
 * @param identity key mode: {@code key:sha256:<hint>}; certificate mode: the leaf's first e-mail or URI
 *     SAN, else its subject DN; keyless: the certificate identity (SAN)
 * @param issuer keyless: the OIDC issuer; certificate mode: the leaf's issuer DN; key mode: null
 * @param signedAt keyless: the log's integrated time; otherwise null
 */
public record SignerInfo(String identity, String issuer, Instant signedAt) {
  public SignerInfo {
    Objects.requireNonNull(identity, "identity");
  }
}
