package dev.warden.gateway.auth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.it.TestCerts;
import dev.warden.gateway.it.TestGateways;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tenant identification and authorisation through a real gateway: API keys, JWT (HS256, RS256, ES256)
 * with the usual attacks, route tenancy, rate limits, and mTLS SAN mapping.
 */
class AuthEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String POLICY = """
      apiVersion: warden.dev/v1alpha1
      kind: GatewayPolicy
      metadata: {name: auth}
      spec:
        tenants:
          - id: acme
            apiKeys: {sha256File: "@ACME_KEYS@"}
          - id: other
            apiKeys: {sha256File: "@OTHER_KEYS@"}
          - id: hs
            jwt: {issuer: "https://hs.example", audience: warden, secretFile: "@HS_SECRET@"}
          - id: rs
            jwt: {issuer: "https://rs.example", audience: warden, publicKeyFile: "@RS_PUB@"}
          - id: es
            jwt: {issuer: "https://es.example", audience: warden, jwksFile: "@ES_JWKS@", tenantClaim: org, claimValue: es-org}
          - id: partner
            mtls: {sanUri: "spiffe://partner.example/*"}
        backends:
          m: {url: "http://127.0.0.1:@PORT@", protocol: oip, timeoutMs: 5000}
        routes:
          - name: open
            match: {protocol: oip, model: m}
            tenants: [acme, other, hs, rs, es]
            allowUnsignedModel: true
            backend: m
          - name: acme-only
            match: {protocol: oip, model: secret}
            tenants: [acme]
            allowUnsignedModel: true
            backend: m
          - name: limited
            match: {protocol: oip, model: limited}
            tenants: [acme]
            allowUnsignedModel: true
            rateLimit: {requestsPerSecond: 0.05, burst: 2}
            backend: m
          - name: partner
            match: {protocol: oip, model: p}
            tenants: [partner]
            allowUnsignedModel: true
            backend: m
      """;
  private static final String BODY = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}";

  @TempDir static Path dir;
  static WireMockServer backend;
  static Gateway gateway;
  static Gateway tlsGateway;
  static String acmeKey;
  static String otherKey;
  static byte[] hsSecret;
  static KeyPair rsKeys;
  static KeyPair esKeys;
  static TestCerts.Issued ca;

  @BeforeAll
  static void start() throws Exception {
    backend = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
    backend.start();
    backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withBody("{\"outputs\":[]}")));
    acmeKey = TestGateways.newApiKey();
    otherKey = TestGateways.newApiKey();
    hsSecret = new byte[32];
    new SecureRandom().nextBytes(hsSecret);
    Files.write(dir.resolve("hs.secret"), hsSecret);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    rsKeys = rsa.generateKeyPair();
    Files.writeString(dir.resolve("rs.pub.pem"), TestCerts.pem("PUBLIC KEY", rsKeys.getPublic().getEncoded()));
    esKeys = TestCerts.ecKeys();
    ECPublicKey ec = (ECPublicKey) esKeys.getPublic();
    Files.writeString(dir.resolve("es.jwks"), "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"x\":\""
        + B64.encodeToString(unsigned32(ec.getW().getAffineX())) + "\",\"y\":\""
        + B64.encodeToString(unsigned32(ec.getW().getAffineY())) + "\"}]}");
    Path policy = TestGateways.writePolicy(dir.resolve("policy.yaml"), POLICY, Map.of(
        "ACME_KEYS", TestGateways.keyHashes(dir, "acme.sha256", acmeKey),
        "OTHER_KEYS", TestGateways.keyHashes(dir, "other.sha256", otherKey),
        "HS_SECRET", dir.resolve("hs.secret"), "RS_PUB", dir.resolve("rs.pub.pem"),
        "ES_JWKS", dir.resolve("es.jwks"), "PORT", backend.port()));
    gateway = TestGateways.start(policy);

    ca = TestCerts.ca("warden test CA");
    TestCerts.Issued server = TestCerts.leaf(ca, "gateway", TestCerts.ip("127.0.0.1"));
    Path caPem = ca.writeCert(dir.resolve("ca.pem"));
    Path cert = server.writeCert(dir.resolve("server.pem"));
    Path key = server.writeKey(dir.resolve("server.key"));
    tlsGateway = TestGateways.start(policy, b -> b.tls(cert, key).clientCa(caPem, false));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (tlsGateway != null) {
      tlsGateway.close();
    }
    if (backend != null) {
      backend.stop();
    }
  }

  // ------------------------------------------------------------------ API keys, tenancy, rate limit

  @Test
  void missingCredentials_are401Unauthenticated() throws Exception {
    assertError(call("m", null), 401, "unauthenticated");
  }

  @Test
  void unknownApiKey_is401InvalidCredentials() throws Exception {
    assertError(call("m", TestGateways.newApiKey()), 401, "invalid_credentials");
    assertError(call("m", acmeKey + "x"), 401, "invalid_credentials");
  }

  @Test
  void nonBearerAuthorization_is401() throws Exception {
    HttpResponse<String> r = TestGateways.HTTP.send(HttpRequest.newBuilder(
        java.net.URI.create(TestGateways.url(gateway) + "/v2/models/m/infer"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("acme:pw".getBytes()))
        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
    assertError(r, 401, "unauthenticated");
    assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
  }

  @Test
  void validApiKey_is200() throws Exception {
    assertEquals(200, call("m", acmeKey).statusCode());
  }

  @Test
  void tenantNotListedOnTheRoute_is403() throws Exception {
    assertEquals(200, call("secret", acmeKey).statusCode());
    assertError(call("secret", otherKey), 403, "forbidden");
  }

  @Test
  void rateLimit_is429WithRetryAfter_onceTheBurstIsSpent() throws Exception {
    assertEquals(200, call("limited", acmeKey).statusCode());
    assertEquals(200, call("limited", acmeKey).statusCode());
    HttpResponse<String> r = call("limited", acmeKey);
    assertError(r, 429, "rate_limited");
    long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry >= 1 && retry <= 20, "Retry-After " + retry);
    assertEquals(200, call("m", acmeKey).statusCode(), "the limit is per route");
  }

  // ------------------------------------------------------------------ JWT

  @Test
  void validJwts_ofEachAlgorithm_are200() throws Exception {
    assertEquals(200, call("m", hs256(claims("https://hs.example", "warden", "sub", "hs", 300))).statusCode());
    assertEquals(200, call("m", rs256(claims("https://rs.example", "warden", "sub", "rs", 300))).statusCode());
    assertEquals(200, call("m", es256(claims("https://es.example", "warden", "org", "es-org", 300), "k1")).statusCode());
  }

  @Test
  void expiredJwt_is401TokenExpired() throws Exception {
    assertError(call("m", rs256(claims("https://rs.example", "warden", "sub", "rs", -3600))), 401, "token_expired");
    assertError(call("m", hs256(claims("https://hs.example", "warden", "sub", "hs", -3600))), 401, "token_expired");
  }

  @Test
  void wrongIssuerOrAudienceOrTenantClaim_is401() throws Exception {
    assertError(call("m", rs256(claims("https://evil.example", "warden", "sub", "rs", 300))), 401, "invalid_credentials");
    assertError(call("m", rs256(claims("https://rs.example", "someone-else", "sub", "rs", 300))), 401, "invalid_credentials");
    assertError(call("m", rs256(claims("https://rs.example", "warden", "sub", "acme", 300))), 401, "invalid_credentials");
  }

  @Test
  void algNone_is401() throws Exception {
    String header = B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = B64.encodeToString(claims("https://rs.example", "warden", "sub", "rs", 300).getBytes(StandardCharsets.UTF_8));
    assertError(call("m", header + "." + payload + "."), 401, "invalid_credentials");
  }

  @Test
  void algConfusion_rsaPublicKeyAsHmacSecret_is401() throws Exception {
    // The classic attack: sign HS256 with the RSA public key's bytes, hoping the verifier uses the key as a secret.
    byte[] pubPem = Files.readAllBytes(dir.resolve("rs.pub.pem"));
    String token = signHmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims("https://rs.example", "warden", "sub", "rs", 300), pubPem);
    assertError(call("m", token), 401, "invalid_credentials");
    String tokenDer = signHmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims("https://rs.example", "warden", "sub", "rs", 300),
        rsKeys.getPublic().getEncoded());
    assertError(call("m", tokenDer), 401, "invalid_credentials");
  }

  @Test
  void tamperedPayloadOrMissingExp_is401() throws Exception {
    String good = rs256(claims("https://rs.example", "warden", "sub", "rs", 300));
    String[] parts = good.split("\\.");
    String forged = parts[0] + "." + B64.encodeToString(claims("https://rs.example", "warden", "sub", "rs", 99999)
        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    assertError(call("m", forged), 401, "invalid_credentials");
    String noExp = rs256("{\"iss\":\"https://rs.example\",\"aud\":\"warden\",\"sub\":\"rs\"}");
    assertError(call("m", noExp), 401, "invalid_credentials");
  }

  // ------------------------------------------------------------------ mTLS

  @Test
  void mtlsClientCertificate_uriSanMapsToItsTenant() throws Exception {
    TestCerts.Issued client = TestCerts.leaf(ca, "partner client", TestCerts.uri("spiffe://partner.example/x"));
    HttpClient http = HttpClient.newBuilder().sslContext(TestCerts.clientContext(ca, client))
        .connectTimeout(Duration.ofSeconds(5)).build();

    assertEquals(200, tls(http, "p").statusCode(), "partner may use its route");
    assertError(tls(http, "m"), 403, "forbidden");
  }

  @Test
  void mtlsCertificateWithAnUnknownSan_is401_andNoCertificateIs401() throws Exception {
    TestCerts.Issued stranger = TestCerts.leaf(ca, "stranger", TestCerts.uri("spiffe://elsewhere.example/x"));
    HttpClient strangerHttp = HttpClient.newBuilder().sslContext(TestCerts.clientContext(ca, stranger)).build();
    HttpClient anonymous = HttpClient.newBuilder().sslContext(TestCerts.clientContext(ca, null)).build();

    assertError(tls(strangerHttp, "p"), 401, "invalid_credentials");
    assertError(tls(anonymous, "p"), 401, "unauthenticated");
  }

  @Test
  void mtlsCertificateFromAnotherCa_identifiesNoTenant() throws Exception {
    TestCerts.Issued otherCa = TestCerts.ca("someone else's CA");
    TestCerts.Issued forged = TestCerts.leaf(otherCa, "forged", TestCerts.uri("spiffe://partner.example/x"));
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("c", forged.keys().getPrivate(), new char[0], new java.security.cert.Certificate[] {forged.cert()});
    javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    java.security.KeyStore ts = java.security.KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca.cert());
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    HttpClient http = HttpClient.newBuilder().sslContext(ctx).build();

    HttpResponse<String> r;
    try {
      r = tls(http, "p");
    } catch (java.io.IOException e) {
      return; // the handshake was refused: also a correct outcome
    }
    assertEquals(401, r.statusCode(), "a certificate from an untrusted CA must not identify a tenant: " + r.body());
  }

  // ------------------------------------------------------------------ helpers

  private static HttpResponse<String> call(String model, String bearer) throws Exception {
    return TestGateways.postJson(TestGateways.url(gateway) + "/v2/models/" + model + "/infer", bearer, BODY);
  }

  private static HttpResponse<String> tls(HttpClient http, String model) throws Exception {
    return http.send(HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + tlsGateway.port()
        + "/v2/models/" + model + "/infer")).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals(code, body.path("code").asText(), r.body());
    assertTrue(body.path("error").asText().length() > 0);
  }

  private static String claims(String iss, String aud, String claim, String value, long expiresInSeconds) {
    long now = Instant.now().getEpochSecond();
    return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"" + claim + "\":\"" + value + "\",\"iat\":" + now
        + ",\"exp\":" + (now + expiresInSeconds) + "}";
  }

  private static String hs256(String payload) throws Exception {
    return signHmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, hsSecret);
  }

  private static String signHmac(String header, String payload, byte[] secret) throws Exception {
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String rs256(String payload) throws Exception {
    return signJca("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, "SHA256withRSA", rsKeys.getPrivate());
  }

  private static String es256(String payload, String kid) throws Exception {
    return signJca("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}", payload,
        "SHA256withECDSAinP1363Format", esKeys.getPrivate());
  }

  private static String signJca(String header, String payload, String alg, PrivateKey key) throws Exception {
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Signature s = Signature.getInstance(alg);
    s.initSign(key);
    s.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(s.sign());
  }

  private static byte[] unsigned32(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b.length == 32) {
      return b;
    }
    byte[] out = new byte[32];
    if (b.length > 32) {
      System.arraycopy(b, b.length - 32, out, 0, 32);
    } else {
      System.arraycopy(b, 0, out, 32 - b.length, b.length);
    }
    return out;
  }

}
