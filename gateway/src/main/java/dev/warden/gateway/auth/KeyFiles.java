package dev.warden.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Reads PEM keys and JSON Web Key Sets named by the policy. Errors name the file. */
public final class KeyFiles {
  private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter();

  private KeyFiles() {}

  /** A public key from a PEM file (SubjectPublicKeyInfo, or the key of a certificate). */
  public static PublicKey readPublicKey(Path file) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
      Object o = p.readObject();
      if (o instanceof SubjectPublicKeyInfo spki) {
        return CONVERTER.getPublicKey(spki);
      }
      if (o instanceof X509CertificateHolder cert) {
        return CONVERTER.getPublicKey(cert.getSubjectPublicKeyInfo());
      }
      throw new IOException(file + ": no PEM public key found");
    }
  }

  /** A private key from a PEM file (PKCS#8, or a traditional key pair). */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
      Object o = p.readObject();
      if (o instanceof PrivateKeyInfo pki) {
        return CONVERTER.getPrivateKey(pki);
      }
      if (o instanceof PEMKeyPair kp) {
        return CONVERTER.getKeyPair(kp).getPrivate();
      }
      throw new IOException(file + ": no PEM private key found (expected PKCS#8 'PRIVATE KEY')");
    }
  }

  /** Keys of a JWKS file: RSA, EC P-256 (by kid when present) and at most one oct secret. */
  public static JwtVerifier.Keys readJwks(Path file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(file.toFile());
    JsonNode keys = root == null ? null : root.get("keys");
    if (keys == null || !keys.isArray()) {
      throw new IOException(file + ": not a JWKS (no 'keys' array)");
    }
    Map<String, PublicKey> byKid = new HashMap<>();
    List<PublicKey> anonymous = new ArrayList<>();
    byte[] secret = null;
    Base64.Decoder d = Base64.getUrlDecoder();
    for (int i = 0; i < keys.size(); i++) {
      JsonNode k = keys.get(i);
      String kty = k.path("kty").asText();
      try {
        PublicKey pk = null;
        switch (kty) {
          case "RSA" -> pk = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
              new BigInteger(1, d.decode(k.path("n").asText())), new BigInteger(1, d.decode(k.path("e").asText()))));
          case "EC" -> {
            if (!"P-256".equals(k.path("crv").asText())) {
              throw new IOException(file + ": keys[" + i + "]: only EC curve P-256 is supported");
            }
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            ECPoint point = new ECPoint(new BigInteger(1, d.decode(k.path("x").asText())),
                new BigInteger(1, d.decode(k.path("y").asText())));
            pk = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
          }
          case "oct" -> secret = d.decode(k.path("k").asText());
          default -> throw new IOException(file + ": keys[" + i + "]: unsupported kty '" + kty + "'");
        }
        if (pk != null) {
          if (k.hasNonNull("kid")) {
            byKid.put(k.get("kid").asText(), pk);
          }
          anonymous.add(pk);
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IOException(file + ": keys[" + i + "]: " + e.getMessage(), e);
      }
    }
    return new JwtVerifier.Keys(Map.copyOf(byKid), List.copyOf(anonymous), secret);
  }
}
