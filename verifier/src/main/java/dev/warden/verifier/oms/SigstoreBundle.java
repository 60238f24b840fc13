package dev.warden.verifier.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.VerificationException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A Sigstore bundle v0.3 JSON ({@value #MEDIA_TYPE}) holding one DSSE envelope, as written by
 * {@code model_signing}. Parsing is strict and bounded; the content is untrusted until an authority
 * has verified the signature. Immutable.
 */
public final class SigstoreBundle {

  public static final String MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** Default bound on a bundle file: a manifest of 100k resources fits in about 20 MB. */
  public static final long DEFAULT_MAX_BYTES = 32L << 20;

  private final String mediaType;
  private final String payloadType;
  private final byte[] payload;
  private final byte[] signature;
  private final String publicKeyHint;
  private final byte[] publicKeyRawBytes;
  private final List<X509Certificate> certificates;
  private final int tlogEntries;
  private final boolean singleCertificate;

  private SigstoreBundle(String mediaType, String payloadType, byte[] payload, byte[] signature, String hint,
      byte[] rawKey, List<X509Certificate> certs, int tlogEntries, boolean singleCertificate) {
    this.mediaType = mediaType;
    this.payloadType = payloadType;
    this.payload = payload;
    this.signature = signature;
    this.publicKeyHint = hint;
    this.publicKeyRawBytes = rawKey;
    this.certificates = List.copyOf(certs);
    this.tlogEntries = tlogEntries;
    this.singleCertificate = singleCertificate;
  }

  /**
   * Reads at most {@code maxBytes} of a file; a larger file is refused before it is read.
   *
   * @throws VerificationException {@link Reason#BUNDLE_TOO_LARGE} or {@link Reason#IO_ERROR}
   */
  public static byte[] readBounded(Path file, long maxBytes) throws VerificationException {
    try {
      if (!Files.isRegularFile(file)) {
        throw new VerificationException(Reason.IO_ERROR, "signature file not found or not a regular file: " + file);
      }
      long size = Files.size(file);
      if (size > maxBytes) {
        throw tooLarge(file, size, maxBytes);
      }
      // Symlinks are followed on purpose (Kubernetes mounts Secrets and ConfigMaps through them): the bundle is
      // authenticated by its signature, not by where it lies.
      try (InputStream in = Files.newInputStream(file)) {
        return readBounded(in, maxBytes, file.toString());
      }
    } catch (IOException e) {
      throw new VerificationException(Reason.IO_ERROR, "cannot read signature " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a stream up to {@code maxBytes}; one byte more is refused (works for pipes and growing files). */
  public static byte[] readBounded(InputStream in, long maxBytes, String what) throws IOException, VerificationException {
    byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    if (data.length > maxBytes) {
      throw tooLarge(what, data.length, maxBytes);
    }
    return data;
  }

  private static VerificationException tooLarge(Object what, long size, long max) {
    return new VerificationException(Reason.BUNDLE_TOO_LARGE, "signature bundle " + what + " is larger than the "
        + max + "-byte limit (" + (size > max ? "at least " + size : size) + " bytes)");
  }

  /** Parses bundle JSON. */
  public static SigstoreBundle parse(byte[] json) throws VerificationException {
    JsonNode root = Json.parse(json, "signature bundle");
    String mediaType = Json.text(root, "mediaType", "bundle");
    if (!MEDIA_TYPE.equals(mediaType)) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED,
          "bundle media type is '" + InTotoStatement.safe(mediaType) + "', expected " + MEDIA_TYPE);
    }
    JsonNode vm = Json.field(root, "verificationMaterial", "bundle");
    String hint = null;
    byte[] rawKey = null;
    List<X509Certificate> certs = new ArrayList<>();
    boolean single = false;
    JsonNode pk = vm.get("publicKey");
    if (pk != null && !pk.isNull()) {
      JsonNode h = pk.get("hint");
      if (h != null && !h.isNull()) {
        if (!h.isTextual()) {
          throw new VerificationException(Reason.BUNDLE_MALFORMED, "publicKey.hint must be a string");
        }
        hint = h.textValue();
      }
      JsonNode rb = pk.get("rawBytes");
      if (rb != null && !rb.isNull()) {
        rawKey = b64(rb, "publicKey.rawBytes");
      }
    }
    JsonNode chain = vm.get("x509CertificateChain");
    if (chain != null && !chain.isNull()) {
      JsonNode list = Json.field(chain, "certificates", "x509CertificateChain");
      if (!list.isArray() || list.isEmpty()) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "x509CertificateChain.certificates must be a non-empty array");
      }
      for (JsonNode c : list) {
        certs.add(certificate(b64(Json.field(c, "rawBytes", "certificate"), "certificate.rawBytes")));
      }
    }
    JsonNode cert = vm.get("certificate");
    if (cert != null && !cert.isNull()) {
      certs.add(certificate(b64(Json.field(cert, "rawBytes", "certificate"), "certificate.rawBytes")));
      single = true;
    }
    JsonNode tlog = vm.get("tlogEntries");
    int tlogCount = tlog != null && tlog.isArray() ? tlog.size() : 0;

    JsonNode env = root.get("dsseEnvelope");
    if (env == null || env.isNull()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "bundle has no dsseEnvelope (message signatures are not model signatures)");
    }
    String payloadType = Json.text(env, "payloadType", "dsseEnvelope");
    byte[] payload = b64(Json.field(env, "payload", "dsseEnvelope"), "dsseEnvelope.payload");
    JsonNode sigs = Json.field(env, "signatures", "dsseEnvelope");
    if (!sigs.isArray() || sigs.size() != 1) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED,
          "dsseEnvelope must hold exactly one signature, found " + (sigs.isArray() ? sigs.size() : 0));
    }
    byte[] sig = b64(Json.field(sigs.get(0), "sig", "signature"), "signature.sig");
    return new SigstoreBundle(mediaType, payloadType, payload, sig, hint, rawKey, certs, tlogCount, single);
  }

  /** A key-mode bundle: {@code publicKey.hint}, no log entries. */
  public static SigstoreBundle forKey(byte[] payload, byte[] signature, String hint) {
    return new SigstoreBundle(MEDIA_TYPE, InTotoStatement.PAYLOAD_TYPE, payload.clone(), signature.clone(), hint,
        null, List.of(), 0, false);
  }

  /** A certificate-mode bundle: {@code x509CertificateChain} (leaf first), no log entries. */
  public static SigstoreBundle forCertificates(byte[] payload, byte[] signature, List<X509Certificate> chain) {
    return new SigstoreBundle(MEDIA_TYPE, InTotoStatement.PAYLOAD_TYPE, payload.clone(), signature.clone(), null,
        null, chain, 0, false);
  }

  /** The bundle as compact JSON, field for field as model_signing writes it. */
  public byte[] toJson() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("mediaType", mediaType);
    ObjectNode vm = root.putObject("verificationMaterial");
    if (!certificates.isEmpty()) {
      var list = vm.putObject("x509CertificateChain").putArray("certificates");
      for (X509Certificate c : certificates) {
        try {
          list.addObject().put("rawBytes", Base64.getEncoder().encodeToString(c.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
          throw new IllegalStateException(e);
        }
      }
    } else {
      vm.putObject("publicKey").put("hint", publicKeyHint);
    }
    vm.putArray("tlogEntries");
    ObjectNode env = root.putObject("dsseEnvelope");
    env.put("payload", Base64.getEncoder().encodeToString(payload));
    env.put("payloadType", payloadType);
    ObjectNode s = env.putArray("signatures").addObject();
    s.put("sig", Base64.getEncoder().encodeToString(signature));
    s.put("keyid", "");
    try {
      return Json.MAPPER.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] b64(JsonNode n, String where) throws VerificationException {
    if (!n.isTextual()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, where + " must be a base64 string");
    }
    String s = n.textValue();
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(s);
      } catch (IllegalArgumentException e2) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, where + " is not valid base64");
      }
    }
  }

  private static X509Certificate certificate(byte[] der) throws VerificationException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "bundle holds an unparsable certificate: " + e.getMessage(), e);
    }
  }

  public String mediaType() {
    return mediaType;
  }

  public String payloadType() {
    return payloadType;
  }

  public byte[] payload() {
    return payload.clone();
  }

  public byte[] signature() {
    return signature.clone();
  }

  /** Hex SHA-256 of the signer's PEM public key, or null when absent. */
  public String publicKeyHint() {
    return publicKeyHint;
  }

  /** Legacy (pre-1.0) {@code publicKey.rawBytes}: the PEM of the key, or null. */
  public byte[] publicKeyRawBytes() {
    return publicKeyRawBytes == null ? null : publicKeyRawBytes.clone();
  }

  /** Certificates, leaf first (empty in key mode). */
  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** True when the bundle carries a single Fulcio-style {@code certificate} (keyless). */
  public boolean hasSingleCertificate() {
    return singleCertificate;
  }

  public int tlogEntryCount() {
    return tlogEntries;
  }
}
