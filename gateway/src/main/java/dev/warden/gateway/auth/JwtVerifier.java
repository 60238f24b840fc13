package dev.warden.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies compact JWS tokens (HS256, RS256, ES256) for one tenant's rules.
 *
 * <p>Security choices: the algorithm is bound to the key type (an RSA key never verifies an HS256
 * token, so the classic "public key as HMAC secret" confusion cannot happen); {@code none} is never
 * accepted; {@code exp} is required; {@code iss}, {@code aud} and the tenant claim must match exactly;
 * HMAC tags are compared in constant time. Thread-safe.
 */
public final class JwtVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

  /** Why a token was refused; {@link #expired} maps to its own error code. */
  public static final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean expired;

    InvalidTokenException(String message, boolean expired) {
      super(message, null, false, false);
      this.expired = expired;
    }

    public boolean expired() {
      return expired;
    }
  }

  /** Verification keys: by {@code kid}, plus keys without a kid tried in turn. */
  public record Keys(Map<String, PublicKey> byKid, List<PublicKey> anonymous, byte[] hmacSecret) {}

  private final String issuer;
  private final String audience;
  private final String tenantClaim;
  private final String claimValue;
  private final Set<String> algorithms;
  private final Keys keys;
  private final long skewSeconds;
  private final Clock clock;

  public JwtVerifier(String issuer, String audience, String tenantClaim, String claimValue,
      Set<String> algorithms, Keys keys, long skewSeconds, Clock clock) {
    this.issuer = issuer;
    this.audience = audience;
    this.tenantClaim = tenantClaim;
    this.claimValue = claimValue;
    this.algorithms = Set.copyOf(algorithms);
    this.keys = keys;
    this.skewSeconds = skewSeconds;
    this.clock = clock;
  }

  public String issuer() {
    return issuer;
  }

  /** A token's unverified {@code iss}, to pick candidate tenants; null when unreadable. */
  public static String peekIssuer(String token) {
    int a = token.indexOf('.');
    int b = token.indexOf('.', a + 1);
    if (a < 0 || b < 0) {
      return null;
    }
    try {
      JsonNode payload = JSON.readTree(B64URL.decode(token.substring(a + 1, b)));
      return payload.path("iss").isTextual() ? payload.get("iss").asText() : null;
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Returns normally when the token is valid for this tenant; throws with the reason otherwise. */
  public void verify(String token) throws InvalidTokenException {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new InvalidTokenException("not a compact JWS (three dot-separated parts)", false);
    }
    JsonNode header;
    JsonNode payload;
    byte[] sig;
    try {
      header = JSON.readTree(B64URL.decode(parts[0]));
      payload = JSON.readTree(B64URL.decode(parts[1]));
      sig = B64URL.decode(parts[2]);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidTokenException("malformed token encoding", false);
    }
    if (header == null || !header.isObject() || payload == null || !payload.isObject()) {
      throw new InvalidTokenException("malformed token", false);
    }
    String alg = header.path("alg").asText("");
    if (!algorithms.contains(alg)) {
      throw new InvalidTokenException("algorithm '" + alg + "' is not accepted", false);
    }
    byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (!signatureValid(alg, header.path("kid").asText(null), signingInput, sig)) {
      throw new InvalidTokenException("bad signature", false);
    }
    long now = clock.instant().getEpochSecond();
    JsonNode exp = payload.get("exp");
    if (exp == null || !exp.isNumber()) {
      throw new InvalidTokenException("token has no exp claim", false);
    }
    if (now > exp.asLong() + skewSeconds) {
      throw new InvalidTokenException("token expired", true);
    }
    JsonNode nbf = payload.get("nbf");
    if (nbf != null && nbf.isNumber() && now + skewSeconds < nbf.asLong()) {
      throw new InvalidTokenException("token not yet valid (nbf)", false);
    }
    if (!issuer.equals(payload.path("iss").asText(null))) {
      throw new InvalidTokenException("wrong issuer", false);
    }
    JsonNode aud = payload.get("aud");
    boolean audOk = aud != null && (aud.isTextual() ? audience.equals(aud.asText()) : contains(aud, audience));
    if (!audOk) {
      throw new InvalidTokenException("wrong audience", false);
    }
    JsonNode claim = payload.get(tenantClaim);
    if (claim == null || !claim.isTextual() || !claimValue.equals(claim.asText())) {
      throw new InvalidTokenException("claim '" + tenantClaim + "' does not name this tenant", false);
    }
  }

  private static boolean contains(JsonNode arr, String v) {
    if (!arr.isArray()) {
      return false;
    }
    for (JsonNode n : arr) {
      if (v.equals(n.asText())) {
        return true;
      }
    }
    return false;
  }

  private boolean signatureValid(String alg, String kid, byte[] input, byte[] sig) {
    try {
      if (alg.equals("HS256")) {
        if (keys.hmacSecret() == null) {
          return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(keys.hmacSecret(), "HmacSHA256"));
        return MessageDigest.isEqual(mac.doFinal(input), sig);
      }
      List<PublicKey> candidates = kid != null && keys.byKid().containsKey(kid)
          ? List.of(keys.byKid().get(kid)) : keys.anonymous();
      for (PublicKey k : candidates) {
        if (alg.equals("RS256") && k instanceof RSAPublicKey) {
          Signature s = Signature.getInstance("SHA256withRSA");
          s.initVerify(k);
          s.update(input);
          if (s.verify(sig)) {
            return true;
          }
        } else if (alg.equals("ES256") && k instanceof ECPublicKey ec
            && ec.getParams().getOrder().bitLength() == 256 && sig.length == 64) {
          Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
          s.initVerify(k);
          s.update(input);
          if (s.verify(sig)) {
            return true;
          }
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
