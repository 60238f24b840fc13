package dev.warden.policies;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The immutable, validated sections of a {@link GatewayPolicy}. Every spec carries the JSON Pointer of
 * the YAML node it came from, so a stage that finds a problem while building its runtime config can
 * report it at {@code file:line:col} through {@link GatewayPolicy#problemAt}.
 */
public final class Specs {
  private Specs() {}

  /** Body-size and time limits; route values override the spec-wide defaults. */
  public record Limits(long maxBodyBytes, long timeoutMs) {}

  /** How a tenant proves who it is. At least one of the three is present. */
  public record Tenant(String id, Optional<ApiKeys> apiKeys, Optional<Jwt> jwt, Optional<Mtls> mtls,
      String pointer) {}

  /** API keys stored only as SHA-256 hashes, in a file. */
  public record ApiKeys(Path sha256File, String pointer) {}

  /** JWT acceptance rules. Exactly one key source is set; HS256 needs {@code secretFile}. */
  public record Jwt(String issuer, String audience, String tenantClaim, String claimValue,
      Set<String> algorithms, Optional<Path> publicKeyFile, Optional<Path> jwksFile,
      Optional<Path> secretFile, int clockSkewSeconds, String pointer) {}

  /** Client-certificate SAN globs ({@code *} matches any run of characters). */
  public record Mtls(Optional<String> sanUri, Optional<String> sanDns) {}

  /**
   * A model server (or HE backend) the gateway forwards to. {@code fallback} (warden-he only) names
   * another warden-he backend tried when this one is down or too slow; {@code tokenFile} (warden-he
   * only) holds the bearer token the gateway presents to the HE backend.
   */
  public record Backend(String name, URI url, Protocol protocol, long timeoutMs, long connectTimeoutMs,
      int retries, int maxConnections, int failureThreshold, long openMs, Optional<BackendTls> tls,
      Optional<String> fallback, Optional<Path> tokenFile, String pointer) {}

  /** TLS towards a backend (trust anchors and an optional client certificate). */
  public record BackendTls(Optional<Path> caFile, Optional<String> serverName,
      Optional<Path> clientCertFile, Optional<Path> clientKeyFile) {}

  /** A model that may be served, the files it consists of, and who must have signed them. */
  public record Model(String name, Optional<String> version, Path path, Path signature, Mode mode,
      Authority authority, List<String> ignorePaths, boolean ignoreUnsignedFiles, long recheckSeconds,
      String pointer) {}

  /** Who must have signed a model: exactly one of key, certificate chain or Sigstore keyless. */
  public sealed interface Authority permits KeyAuthority, CertificateAuthority, KeylessAuthority {}

  /** A signature by this public key (PEM). */
  public record KeyAuthority(Path publicKey) implements Authority {}

  /** A certificate chaining to {@code chain}'s last element, optionally with a subject/SAN policy. */
  public record CertificateAuthority(List<Path> chain, Optional<String> subject, Optional<String> san,
      Optional<String> sanRegExp) implements Authority {}

  /** A Sigstore keyless signature by this OIDC identity, checked offline against a trusted root. */
  public record KeylessAuthority(Optional<String> issuer, Optional<String> issuerRegExp,
      Optional<String> subject, Optional<String> subjectRegExp, Path trustedRoot) implements Authority {}

  /**
   * An operator detector model named by the screening entry at index {@code screen} of its route: the
   * gateway loads it only if {@code signature} verifies for {@code model} under {@code authority}
   * (the same authorities as {@code spec.models}), and refuses the policy otherwise.
   */
  public record DetectorArtifact(int screen, Path model, Path signature, Authority authority, String pointer) {}

  /** Which backend serves a request; the first rule whose {@code when} matches wins. */
  public record ComputeRule(String backend, List<String> tenants, Map<String, String> headers) {
    public boolean unconditional() {
      return tenants.isEmpty() && headers.isEmpty();
    }
  }

  /** A token bucket per tenant on a route. */
  public record RateLimit(double requestsPerSecond, long burst) {}

  /**
   * A route: which requests it matches, who may use it, where they go and which stages run.
   * {@code model} is an exact name or {@code *}; empty {@code versions} means any version;
   * {@code tenants} containing {@code *} means any authenticated tenant.
   */
  public record Route(String name, Protocol protocol, String model, List<String> versions,
      Set<String> tenants, Mode mode, List<ComputeRule> compute, boolean allowUnsignedModel,
      Optional<RateLimit> rateLimit, Limits limits, List<JsonNode> screening, Optional<JsonNode> privacy,
      String pointer, List<DetectorArtifact> detectorModels) {

    public boolean matches(Protocol p, String modelName, String version) {
      if (p != protocol) {
        return false;
      }
      if (!model.equals("*") && !model.equals(modelName)) {
        return false;
      }
      return versions.isEmpty() || (version != null && versions.contains(version));
    }

    public boolean allowsTenant(String tenantId) {
      return tenants.contains("*") || tenants.contains(tenantId);
    }
  }

  /** The hash-chained audit log and its checkpoint signing key. */
  public record Audit(Path file, Path signingKey, int checkpointEvery, String fsync) {}

  /**
   * Where shared state lives: in this process (embedded) or in Redis for several replicas. {@code caFile}: the CA
   * that signs a {@code rediss://} server's certificate.
   */
  public record State(String store, Path dir, Optional<String> url, Optional<Path> passwordFile,
      String onUnavailable, Optional<Path> caFile) {}
}
