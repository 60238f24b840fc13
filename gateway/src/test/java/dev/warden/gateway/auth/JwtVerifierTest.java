package dev.warden.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.it.TestCerts;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link JwtVerifier} with a fixed clock: time windows, audience forms, key ids and algorithm binding. */
class JwtVerifierTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final long NOW = 1_800_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

  private final KeyPair k1;
  private final KeyPair k2;
  private final JwtVerifier verifier;

  JwtVerifierTest() throws Exception {
    k1 = TestCerts.ecKeys();
    k2 = TestCerts.ecKeys();
    verifier = new JwtVerifier("https://idp", "warden", "org", "acme", Set.of("ES256"),
        new JwtVerifier.Keys(Map.of("k1", k1.getPublic(), "k2", k2.getPublic()), List.of(k1.getPublic()), null),
        30, CLOCK);
  }

  private static String es256(KeyPair kp, String kid, String payload) throws Exception {
    String header = "{\"alg\":\"ES256\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"") + "}";
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(kp.getPrivate());
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  private static String claims(String extra) {
    return "{\"iss\":\"https://idp\",\"aud\":\"warden\",\"org\":\"acme\"" + extra + "}";
  }

  private void rejects(String token, boolean expired) {
    JwtVerifier.InvalidTokenException e = assertThrows(JwtVerifier.InvalidTokenException.class, () -> verifier.verify(token));
    if (expired) {
      assertTrue(e.expired(), e.getMessage());
    } else {
      assertFalse(e.expired(), e.getMessage());
    }
  }

  @Test
  void expiryIsCheckedWithTheConfiguredSkew() throws Exception {
    verifier.verify(es256(k1, "k1", claims(",\"exp\":" + (NOW + 60))));
    verifier.verify(es256(k1, "k1", claims(",\"exp\":" + (NOW - 20))));
    rejects(es256(k1, "k1", claims(",\"exp\":" + (NOW - 31))), true);
  }

  @Test
  void notBeforeInTheFuture_isRefused_withinSkewAccepted() throws Exception {
    verifier.verify(es256(k1, "k1", claims(",\"exp\":" + (NOW + 60) + ",\"nbf\":" + (NOW + 20))));
    rejects(es256(k1, "k1", claims(",\"exp\":" + (NOW + 600) + ",\"nbf\":" + (NOW + 120))), false);
  }

  @Test
  void audienceMayBeAnArrayContainingOurs() throws Exception {
    verifier.verify(es256(k1, "k1", "{\"iss\":\"https://idp\",\"aud\":[\"other\",\"warden\"],\"org\":\"acme\",\"exp\":"
        + (NOW + 60) + "}"));
    rejects(es256(k1, "k1", "{\"iss\":\"https://idp\",\"aud\":[\"other\"],\"org\":\"acme\",\"exp\":" + (NOW + 60) + "}"), false);
  }

  @Test
  void keyIdSelectsTheKey_andAWrongKidDoesNotFallBackToAnotherKey() throws Exception {
    verifier.verify(es256(k2, "k2", claims(",\"exp\":" + (NOW + 60))));
    rejects(es256(k2, "k1", claims(",\"exp\":" + (NOW + 60))), false);
    verifier.verify(es256(k1, null, claims(",\"exp\":" + (NOW + 60))));
  }

  @Test
  void tenantClaimMustMatchExactly_andBeAString() throws Exception {
    rejects(es256(k1, "k1", "{\"iss\":\"https://idp\",\"aud\":\"warden\",\"org\":\"acme2\",\"exp\":" + (NOW + 60) + "}"), false);
    rejects(es256(k1, "k1", "{\"iss\":\"https://idp\",\"aud\":\"warden\",\"org\":[\"acme\"],\"exp\":" + (NOW + 60) + "}"), false);
  }

  @Test
  void malformedTokens_areRefusedWithoutExceptionsEscaping() {
    for (String t : new String[] {"a.b", "a.b.c.d", "!!.??.**", "eyJ.eyJ.", ""}) {
      rejects(t, false);
    }
  }
}
