package dev.warden.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.oms.InTotoStatement;
import dev.warden.verifier.oms.SigstoreBundle;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Safety case of issue 3: each refusal names its cause. */
class ModelVerifierSafetyTest {
  @TempDir Path tmp;
  Path model;
  Path sig;
  KeyPair kp;
  ModelVerifier verifier;

  @BeforeEach
  void signSample() throws Exception {
    model = tmp.resolve("model");
    Files.createDirectories(model.resolve("sub"));
    Files.writeString(model.resolve("config.json"), "{\"layers\": 3}");
    Files.write(model.resolve("weights.bin"), new byte[70_000]);
    Files.write(model.resolve("sub/empty.txt"), new byte[0]);
    kp = KeyGenerator.generate(EcCurve.P256);
    sig = tmp.resolve("model.sig");
    ModelSigner.withKey(kp.getPrivate(), null).sign(model, sig, HashingOptions.files(), HashProgress.NONE);
    verifier = ModelVerifier.builder(new KeyAuthority(kp.getPublic())).build();
  }

  VerificationException refused(Reason reason, String messagePart) {
    return refused(verifier, reason, messagePart);
  }

  VerificationException refused(ModelVerifier v, Reason reason, String messagePart) {
    var e = assertThrows(VerificationException.class, () -> v.verify(model, sig));
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains(messagePart), "message '" + e.getMessage() + "' should name " + messagePart);
    return e;
  }

  @Test
  void untouchedModel_verifies() throws Exception {
    VerifiedModel v = verifier.verify(model, sig);
    assertEquals(3, v.files());
    assertEquals("model", v.modelName());
  }

  @Test
  void signatureReachedThroughSymlink_verifies() throws Exception {
    // Kubernetes mounts Secrets/ConfigMaps as symlinks into a ..data directory
    Path data = Files.createDirectories(tmp.resolve("mount/..data"));
    Files.move(sig, data.resolve("model.sig"));
    Path link = Files.createSymbolicLink(tmp.resolve("mount/model.sig"), Path.of("..data/model.sig"));
    verifier.verify(model, link);
  }

  @Test
  void changedByte_isRefused() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(model.resolve("weights.bin").toFile(), "rw")) {
      f.seek(12_345);
      f.write(1);
    }
    refused(Reason.MANIFEST_MISMATCH, "changed: weights.bin");
  }

  @Test
  void addedFile_isRefused_unlessUnsignedFilesIgnored() throws Exception {
    Files.writeString(model.resolve("sub/backdoor.py"), "import os");
    refused(Reason.MANIFEST_MISMATCH, "extra (unsigned) files: sub/backdoor.py");
    ModelVerifier relaxed = ModelVerifier.builder(new KeyAuthority(kp.getPublic())).ignoreUnsignedFiles(true).build();
    relaxed.verify(model, sig);
    // relaxing "extra" never relaxes "changed"
    Files.writeString(model.resolve("config.json"), "{\"layers\": 4}");
    refused(relaxed, Reason.MANIFEST_MISMATCH, "changed: config.json");
  }

  @Test
  void removedFile_isRefused() throws Exception {
    Files.delete(model.resolve("config.json"));
    refused(Reason.MANIFEST_MISMATCH, "missing files: config.json");
  }

  @Test
  void removedFile_isRefused_evenWithIgnoreUnsignedFiles() throws Exception {
    Files.delete(model.resolve("config.json"));
    refused(ModelVerifier.builder(new KeyAuthority(kp.getPublic())).ignoreUnsignedFiles(true).build(),
        Reason.MANIFEST_MISMATCH, "missing files: config.json");
  }

  @Test
  void renamedFile_isRefused() throws Exception {
    Files.move(model.resolve("config.json"), model.resolve("config2.json"));
    var e = refused(Reason.MANIFEST_MISMATCH, "extra (unsigned) files: config2.json");
    assertTrue(e.getMessage().contains("missing files: config.json"));
  }

  @Test
  void emptiedFile_isRefused() throws Exception {
    Files.write(model.resolve("config.json"), new byte[0]);
    refused(Reason.MANIFEST_MISMATCH, "changed: config.json");
  }

  @Test
  void addedEmptyFile_isRefused() throws Exception {
    Files.write(model.resolve("sub/another-empty"), new byte[0]);
    refused(Reason.MANIFEST_MISMATCH, "extra (unsigned) files: sub/another-empty");
  }

  @Test
  void removedEmptyFile_isRefused() throws Exception {
    Files.delete(model.resolve("sub/empty.txt"));
    refused(Reason.MANIFEST_MISMATCH, "missing files: sub/empty.txt");
  }

  @Test
  void filledEmptyFile_isRefused() throws Exception {
    Files.writeString(model.resolve("sub/empty.txt"), "x");
    refused(Reason.MANIFEST_MISMATCH, "changed: sub/empty.txt");
  }

  @Test
  void emptyModel_signsAndVerifies() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path s = tmp.resolve("empty.sig");
    var signed = ModelSigner.withKey(kp.getPrivate(), null).sign(empty, s, HashingOptions.files(), HashProgress.NONE);
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", signed.rootDigest());
    verifier.verify(empty, s);
  }

  @Test
  void symlinkOutsideModel_isRefused() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "s");
    Files.createSymbolicLink(model.resolve("sub/link"), secret);
    refused(Reason.SYMLINK_REFUSED, "'sub/link' is a symbolic link and allow_symlinks is false");
  }

  @Test
  void symlinkOutsideModel_isRefused_evenIfSignedWithAllowSymlinks() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "s");
    ModelSigner.withKey(kp.getPrivate(), null).sign(model, sig, HashingOptions.files().withAllowSymlinks(true),
        HashProgress.NONE);
    Files.createSymbolicLink(model.resolve("sub/link"), secret);
    refused(Reason.SYMLINK_REFUSED, "points outside the model");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "/etc/passwd", "a/../../b", "a\u0000b", "a//b", "./a"})
  void unsafeManifestPath_isRefused(String name) throws Exception {
    String payload = statement(List.of(new String[] {name, "00".repeat(32)}, new String[] {"b", "11".repeat(32)}), null,
        InTotoStatement.PREDICATE_V1);
    Files.write(sig, TestPki.keyBundle(kp, InTotoStatement.PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8),
        Pem.keyHint(kp.getPublic())));
    var e = refused(Reason.UNSAFE_PATH, "manifest");
    assertTrue(e.getMessage().matches("(?s).*(contains '\\.\\.'|is absolute|NUL|not normalized).*"), e.getMessage());
  }

  @Test
  void duplicateManifestEntry_isRefused() throws Exception {
    String payload = statement(List.of(new String[] {"config.json", "00".repeat(32)},
        new String[] {"config.json", "11".repeat(32)}), null, InTotoStatement.PREDICATE_V1);
    Files.write(sig, TestPki.keyBundle(kp, InTotoStatement.PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8), null));
    refused(Reason.DUPLICATE_ENTRY, "duplicate manifest entry 'config.json'");
  }

  @Test
  void duplicateJsonKey_isRefused() throws Exception {
    String bundle = Files.readString(sig).replace("\"tlogEntries\":[]", "\"tlogEntries\":[],\"tlogEntries\":[]");
    Files.writeString(sig, bundle);
    refused(Reason.BUNDLE_MALFORMED, "Duplicate field");
  }

  @Test
  void wrongKey_isRefused() throws Exception {
    KeyPair other = KeyGenerator.generate(EcCurve.P256);
    // without a hint the signature check itself must catch the wrong key
    String noHint = Files.readString(sig).replaceAll("\"publicKey\":\\{\"hint\":\"[0-9a-f]+\"\\},", "");
    Files.writeString(sig, noHint);
    refused(ModelVerifier.builder(new KeyAuthority(other.getPublic())).build(), Reason.SIGNATURE_INVALID,
        "does not verify with the configured public key");
  }

  @Test
  void keyHintMismatch_isRefused() throws Exception {
    KeyPair other = KeyGenerator.generate(EcCurve.P256);
    refused(ModelVerifier.builder(new KeyAuthority(other.getPublic())).build(), Reason.KEY_MISMATCH,
        "publicKey.hint");
  }

  @Test
  void tamperedSignatureBytes_areRefused() throws Exception {
    String json = Files.readString(sig);
    int i = json.indexOf("\"sig\":\"") + 12;
    char c = json.charAt(i);
    Files.writeString(sig, json.substring(0, i) + (c == 'A' ? 'B' : 'A') + json.substring(i + 1));
    refused(Reason.SIGNATURE_INVALID, "does not verify");
  }

  @Test
  void wrongPayloadType_isRefused() throws Exception {
    byte[] payload = InTotoStatement.encode(dev.warden.verifier.hashing.Manifest.ofCanonical("m",
        HashingOptions.files(), List.of()));
    Files.write(sig, TestPki.keyBundle(kp, "application/json", payload, Pem.keyHint(kp.getPublic())));
    refused(Reason.WRONG_PAYLOAD_TYPE, "payload type is 'application/json'");
  }

  @Test
  void wrongPredicateType_isRefused() throws Exception {
    String payload = statement(List.<String[]>of(), null, "https://slsa.dev/provenance/v1");
    Files.write(sig, TestPki.keyBundle(kp, InTotoStatement.PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8), null));
    refused(Reason.WRONG_PREDICATE_TYPE, "predicate type is 'https://slsa.dev/provenance/v1'");
  }

  @Test
  void subjectDigestNotRootDigest_isRefused() throws Exception {
    String payload = statement(List.<String[]>of(new String[] {"config.json", "00".repeat(32)}), "ab".repeat(32),
        InTotoStatement.PREDICATE_V1);
    Files.write(sig, TestPki.keyBundle(kp, InTotoStatement.PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8), null));
    refused(Reason.ROOT_DIGEST_MISMATCH, "is not the root digest of the listed resources");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 10, 100, 300})
  void truncatedBundle_isRefused(int keep) throws Exception {
    byte[] full = Files.readAllBytes(sig);
    Files.write(sig, java.util.Arrays.copyOf(full, Math.min(keep, full.length - 1)));
    refused(Reason.BUNDLE_MALFORMED, "signature bundle");
  }

  @Test
  void garbledBundle_isRefused() throws Exception {
    Files.writeString(sig, "{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", ]]]");
    refused(Reason.BUNDLE_MALFORMED, "not valid JSON");
    Files.writeString(sig, Files.readString(sig).replace("v0.3", "v0.3"));
    Files.writeString(sig, "[1,2,3]");
    refused(Reason.BUNDLE_MALFORMED, "not a JSON object");
  }

  @Test
  void garbledPayloadBase64_isRefused() throws Exception {
    String json = Files.readString(sig).replaceFirst("\"payload\":\"", "\"payload\":\"%%%");
    Files.writeString(sig, json);
    refused(Reason.BUNDLE_MALFORMED, "dsseEnvelope.payload is not valid base64");
  }

  @Test
  void hundredMegabyteBundle_isRefusedWithoutReadingIt() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(sig.toFile(), "rw")) {
      f.setLength(100L << 20); // sparse: nothing is written
    }
    refused(Reason.BUNDLE_TOO_LARGE, "larger than the");
  }

  @Test
  void endlessBundleStream_isReadBounded() {
    InputStream endless = new InputStream() {
      long served;

      @Override
      public int read() {
        served++;
        if (served > (64L << 20)) {
          throw new AssertionError("read past the bound");
        }
        return ' ';
      }

      @Override
      public int read(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
          b[off + i] = (byte) read();
        }
        return len;
      }
    };
    var e = assertThrows(VerificationException.class, () -> SigstoreBundle.readBounded(endless, 1 << 20, "stdin"));
    assertEquals(Reason.BUNDLE_TOO_LARGE, e.reason());
  }

  @Test
  void certificateBundle_inKeyMode_withoutKeyMatch_isRefused() throws Exception {
    var chain = TestPki.chain("signer@example.com");
    ModelSigner.withCertificate(chain.leafKey().getPrivate(), chain.leaf(), List.of(chain.intermediate()), null)
        .sign(model, sig, HashingOptions.files(), HashProgress.NONE);
    refused(Reason.SIGNATURE_INVALID, "does not verify");
  }

  @Test
  void keyBundle_inCertificateMode_isRefused() throws Exception {
    var chain = TestPki.chain("signer@example.com");
    refused(ModelVerifier.builder(new CertificateChainAuthority(List.of(chain.root()), IdentityPolicy.any())).build(),
        Reason.CERTIFICATE_UNTRUSTED, "no certificate chain");
  }

  @ParameterizedTest
  @EnumSource(EcCurve.class)
  void everyCurve_signsAndVerifies_inBothMethods(EcCurve curve) throws Exception {
    KeyPair k = KeyGenerator.generate(curve);
    for (HashingOptions o : List.of(HashingOptions.files(), HashingOptions.shards(16_384))) {
      ModelSigner.withKey(k.getPrivate(), null).sign(model, sig, o, HashProgress.NONE);
      VerifiedModel v = ModelVerifier.builder(new KeyAuthority(k.getPublic())).build().verify(model, sig);
      assertEquals(o.method().wireName(), v.method());
    }
  }

  @Test
  void shardedSignature_detectsChangeInOneShard() throws Exception {
    ModelSigner.withKey(kp.getPrivate(), null).sign(model, sig, HashingOptions.shards(16_384), HashProgress.NONE);
    try (RandomAccessFile f = new RandomAccessFile(model.resolve("weights.bin").toFile(), "rw")) {
      f.seek(40_000);
      f.write(7);
    }
    refused(Reason.MANIFEST_MISMATCH, "changed: weights.bin:32768:49152");
  }

  @Test
  void signatureInsideModel_isIgnoredAndRecorded() throws Exception {
    Path inside = model.resolve("model.sig");
    var signed = ModelSigner.withKey(kp.getPrivate(), null).sign(model, inside, HashingOptions.files(), HashProgress.NONE);
    assertTrue(signed.manifest().serialization().ignorePaths().contains("model.sig"));
    String payload = new String(SigstoreBundle.parse(Files.readAllBytes(inside)).payload(), StandardCharsets.UTF_8);
    assertTrue(payload.contains("\"model.sig\""), payload);
    verifier.verify(model, inside);
  }

  @Test
  void legacyDigestsV01Predicate_isAccepted_andStillExact() throws Exception {
    var md = java.security.MessageDigest.getInstance("SHA-256");
    String cfg = java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(model.resolve("config.json"))));
    String w = java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(model.resolve("weights.bin"))));
    String e = java.util.HexFormat.of().formatHex(md.digest(new byte[0]));
    String payload = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicateType\":\"" + InTotoStatement.PREDICATE_V0_1
        + "\",\"subject\":[{\"name\":\"config.json\",\"digest\":{\"sha256\":\"" + cfg + "\"}},"
        + "{\"name\":\"weights.bin\",\"digest\":{\"sha256\":\"" + w + "\"}},"
        + "{\"name\":\"sub/empty.txt\",\"digest\":{\"sha256\":\"" + e + "\"}}],\"predicate\":{}}";
    Files.write(sig, TestPki.keyBundle(kp, InTotoStatement.PAYLOAD_TYPE, payload.getBytes(StandardCharsets.UTF_8),
        Pem.keyHint(kp.getPublic())));
    VerifiedModel v = verifier.verify(model, sig);
    assertEquals(InTotoStatement.PREDICATE_V0_1, v.predicateType());
    Files.writeString(model.resolve("config.json"), "{}");
    refused(Reason.MANIFEST_MISMATCH, "changed: config.json");
  }

  static String statement(List<String[]> resources, String subjectDigest, String predicateType) throws Exception {
    var md = java.security.MessageDigest.getInstance("SHA-256");
    StringBuilder res = new StringBuilder();
    for (String[] r : resources) {
      md.update(java.util.HexFormat.of().parseHex(r[1]));
      if (res.length() > 0) {
        res.append(',');
      }
      res.append("{\"name\":").append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r[0]))
          .append(",\"algorithm\":\"sha256\",\"digest\":\"").append(r[1]).append("\"}");
    }
    String root = subjectDigest != null ? subjectDigest : java.util.HexFormat.of().formatHex(md.digest());
    return "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"model\",\"digest\":{\"sha256\":\""
        + root + "\"}}],\"predicateType\":\"" + predicateType + "\",\"predicate\":{\"serialization\":{\"method\":\"files\","
        + "\"hash_type\":\"sha256\",\"allow_symlinks\":false},\"resources\":[" + res + "]}}";
  }
}
