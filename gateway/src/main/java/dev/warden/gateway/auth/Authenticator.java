package dev.warden.gateway.auth;

import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyProblem;
import dev.warden.policies.Specs.Jwt;
import dev.warden.policies.Specs.Tenant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Step 1 of the pipeline: which tenant is calling. {@code Authorization: Bearer <token>} carries an
 * API key or, when it has the three-part JWS shape, a JWT; without it, a verified client certificate
 * is matched against the tenants' SAN globs. Built once per policy; thread-safe.
 */
public final class Authenticator {
  /** The outcome: tenant id and how it was proven. */
  public record Identity(String tenant, String method) {}

  private record MtlsRule(String tenant, Pattern uri, Pattern dns) {}

  private final ApiKeyIndex apiKeys;
  private final Map<String, List<Map.Entry<String, JwtVerifier>>> jwtByIssuer;
  private final List<MtlsRule> mtls;

  private Authenticator(ApiKeyIndex apiKeys, Map<String, List<Map.Entry<String, JwtVerifier>>> jwtByIssuer,
      List<MtlsRule> mtls) {
    this.apiKeys = apiKeys;
    this.jwtByIssuer = jwtByIssuer;
    this.mtls = mtls;
  }

  /** Reads every tenant's key material; problems are reported at the policy's line for that tenant. */
  public static Authenticator build(GatewayPolicy policy, Clock clock, List<PolicyProblem> problems) {
    Map<String, List<String>> hashes = new LinkedHashMap<>();
    Map<String, List<Map.Entry<String, JwtVerifier>>> jwt = new HashMap<>();
    List<MtlsRule> mtls = new ArrayList<>();
    for (Tenant t : policy.tenants()) {
      t.apiKeys().ifPresent(k -> {
        try {
          List<String> list = new ArrayList<>();
          for (String line : Files.readAllLines(k.sha256File())) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
              list.add(l);
            }
          }
          hashes.put(t.id(), list);
        } catch (IOException e) {
          problems.add(policy.problemAt(k.pointer() + "/sha256File", "cannot read " + k.sha256File() + ": " + e.getMessage()));
        }
      });
      t.jwt().ifPresent(j -> {
        try {
          JwtVerifier v = new JwtVerifier(j.issuer(), j.audience(), j.tenantClaim(), j.claimValue(),
              j.algorithms(), keys(j), j.clockSkewSeconds(), clock);
          jwt.computeIfAbsent(j.issuer(), x -> new ArrayList<>()).add(Map.entry(t.id(), v));
        } catch (IOException e) {
          problems.add(policy.problemAt(j.pointer(), e.getMessage()));
        }
      });
      t.mtls().ifPresent(m -> mtls.add(new MtlsRule(t.id(), m.sanUri().map(Authenticator::glob).orElse(null),
          m.sanDns().map(Authenticator::glob).orElse(null))));
    }
    ApiKeyIndex index;
    try {
      index = ApiKeyIndex.of(hashes);
    } catch (IllegalArgumentException e) {
      problems.add(policy.problemAt("/spec/tenants", e.getMessage()));
      index = ApiKeyIndex.of(Map.of());
    }
    return new Authenticator(index, Map.copyOf(jwt), List.copyOf(mtls));
  }

  private static JwtVerifier.Keys keys(Jwt j) throws IOException {
    if (j.secretFile().isPresent()) {
      byte[] secret = Files.readAllBytes(j.secretFile().get());
      if (secret.length < 32) {
        throw new IOException(j.secretFile().get() + ": an HS256 secret needs at least 32 bytes");
      }
      return new JwtVerifier.Keys(Map.of(), List.of(), secret);
    }
    if (j.jwksFile().isPresent()) {
      return KeyFiles.readJwks(j.jwksFile().get());
    }
    Path pem = j.publicKeyFile().orElseThrow();
    PublicKey k = KeyFiles.readPublicKey(pem);
    return new JwtVerifier.Keys(Map.of(), List.of(k), null);
  }

  static Pattern glob(String g) {
    StringBuilder sb = new StringBuilder("^");
    for (String part : g.split("\\*", -1)) {
      if (sb.length() > 1) {
        sb.append(".*");
      }
      sb.append(Pattern.quote(part));
    }
    return Pattern.compile(sb.append('$').toString());
  }

  /**
   * Identifies the caller from the Authorization header value (may be null) and the peer's
   * verified certificate chain (may be empty).
   *
   * @throws StageRejection 401 when no credential or an invalid one is presented
   */
  public Identity authenticate(String authorization, List<Certificate> peerCertificates) {
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new StageRejection(401, "unauthenticated", "Authorization must be 'Bearer <API key or JWT>'");
      }
      String token = authorization.substring(7).strip();
      if (token.isEmpty()) {
        throw new StageRejection(401, "unauthenticated", "empty bearer token");
      }
      if (looksLikeJwt(token)) {
        return jwt(token);
      }
      String tenant = apiKeys.tenantFor(token);
      if (tenant == null) {
        throw new StageRejection(401, "invalid_credentials", "unknown API key");
      }
      return new Identity(tenant, "api-key");
    }
    if (!peerCertificates.isEmpty() && peerCertificates.get(0) instanceof X509Certificate leaf) {
      for (MtlsRule r : mtls) {
        if (sanMatches(leaf, r)) {
          return new Identity(r.tenant(), "mtls");
        }
      }
      throw new StageRejection(401, "invalid_credentials", "client certificate matches no tenant");
    }
    throw new StageRejection(401, "unauthenticated", "no credentials: send 'Authorization: Bearer <API key or JWT>'");
  }

  private static boolean looksLikeJwt(String t) {
    int dots = 0;
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == '.') {
        dots++;
      }
    }
    return dots == 2 && t.startsWith("eyJ");
  }

  private Identity jwt(String token) {
    String iss = JwtVerifier.peekIssuer(token);
    List<Map.Entry<String, JwtVerifier>> candidates = iss == null ? null : jwtByIssuer.get(iss);
    if (candidates == null) {
      throw new StageRejection(401, "invalid_credentials", "JWT issuer is not trusted by any tenant");
    }
    JwtVerifier.InvalidTokenException last = null;
    for (var c : candidates) {
      try {
        c.getValue().verify(token);
        return new Identity(c.getKey(), "jwt");
      } catch (JwtVerifier.InvalidTokenException e) {
        last = e;
      }
    }
    if (last != null && last.expired()) {
      throw new StageRejection(401, "token_expired", "JWT expired");
    }
    throw new StageRejection(401, "invalid_credentials", "JWT rejected: " + (last == null ? "" : last.getMessage()));
  }

  private static boolean sanMatches(X509Certificate cert, MtlsRule r) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return false;
      }
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        String value = String.valueOf(san.get(1));
        if (type == 6 && r.uri() != null && r.uri().matcher(value).matches()) {
          return true;
        }
        if (type == 2 && r.dns() != null && r.dns().matcher(value).matches()) {
          return true;
        }
      }
    } catch (CertificateParsingException e) {
      return false;
    }
    return false;
  }
}
