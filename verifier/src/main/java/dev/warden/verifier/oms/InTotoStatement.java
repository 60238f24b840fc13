package dev.warden.verifier.oms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.Manifest;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The in-toto Statement v1 that OpenSSF model signing puts in the DSSE payload: one subject (the model
 * name and its root digest) and a predicate listing every resource and the serialization used.
 *
 * <p>Decoding is strict: every field is type-checked, resource names must be safe relative POSIX paths,
 * duplicates are refused, each resource's algorithm must match the serialization, and the subject
 * digest must equal the recomputed root digest. The older predicate {@link #PREDICATE_V0_1} (one subject
 * per file, no root digest) is accepted when decoding.
 */
public final class InTotoStatement {

  public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
  public static final String PREDICATE_V1 = "https://model_signing/signature/v1.0";
  public static final String PREDICATE_V0_1 = "https://model_signing/Digests/v0.1";
  public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

  /** A decoded, checked statement. */
  public record Decoded(String predicateType, String subjectName, byte[] rootDigest, Manifest manifest) {
    public String rootDigestHex() {
      return HexFormat.of().formatHex(rootDigest);
    }
  }

  private InTotoStatement() {}

  /** Encodes {@code manifest} as a v1.0 statement, formatted like model_signing (2-space indent). */
  public static byte[] encode(Manifest manifest) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("_type", STATEMENT_TYPE);
    ObjectNode subject = root.putArray("subject").addObject();
    subject.put("name", manifest.modelName());
    subject.putObject("digest").put("sha256", manifest.rootDigestHex());
    root.put("predicateType", PREDICATE_V1);
    ObjectNode predicate = root.putObject("predicate");
    ObjectNode ser = predicate.putObject("serialization");
    HashingOptions o = manifest.serialization();
    ser.put("method", o.method().wireName());
    ser.put("hash_type", HashingOptions.HASH_TYPE);
    ser.put("allow_symlinks", o.allowSymlinks());
    if (o.method() == HashingOptions.Method.SHARDS) {
      ser.put("shard_size", o.shardSize());
    }
    if (!o.ignorePaths().isEmpty()) {
      ArrayNode ig = ser.putArray("ignore_paths");
      o.ignorePaths().forEach(ig::add);
    }
    ArrayNode res = predicate.putArray("resources");
    for (Manifest.Resource r : manifest.resources()) {
      ObjectNode n = res.addObject();
      n.put("name", r.name());
      n.put("algorithm", r.algorithm());
      n.put("digest", r.digestHex());
    }
    try {
      return Json.PRETTY.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes and checks a statement. */
  public static Decoded decode(byte[] payload) throws VerificationException {
    JsonNode root = Json.parse(payload, "in-toto statement");
    String type = Json.text(root, "_type", "statement");
    if (!STATEMENT_TYPE.equals(type)) {
      throw new VerificationException(Reason.WRONG_PREDICATE_TYPE,
          "statement type is '" + type + "', expected " + STATEMENT_TYPE);
    }
    String predicateType = Json.text(root, "predicateType", "statement");
    if (PREDICATE_V0_1.equals(predicateType)) {
      return decodeV01(root);
    }
    if (!PREDICATE_V1.equals(predicateType)) {
      throw new VerificationException(Reason.WRONG_PREDICATE_TYPE,
          "predicate type is '" + predicateType + "', expected " + PREDICATE_V1 + " (or " + PREDICATE_V0_1 + ")");
    }
    JsonNode subjects = Json.field(root, "subject", "statement");
    if (!subjects.isArray() || subjects.size() != 1) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "statement must have exactly one subject");
    }
    JsonNode subject = subjects.get(0);
    String subjectName = subject.isObject() && subject.path("name").isTextual() ? subject.get("name").textValue() : "";
    JsonNode digest = Json.field(subject, "digest", "subject");
    byte[] subjectDigest = Json.hex32(Json.text(digest, "sha256", "subject.digest"), "subject.digest.sha256");

    JsonNode predicate = Json.field(root, "predicate", "statement");
    HashingOptions options = serialization(Json.field(predicate, "serialization", "predicate"));
    JsonNode resources = Json.field(predicate, "resources", "predicate");
    if (!resources.isArray()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "predicate.resources must be an array");
    }
    List<Manifest.Resource> list = new ArrayList<>();
    String expectedAlgorithm = options.resourceAlgorithm();
    boolean singleFile = resources.size() > 0;
    for (JsonNode r : resources) {
      String n = r.path("name").asText("");
      singleFile &= n.equals(".") || n.startsWith(".:");
    }
    for (JsonNode r : resources) {
      if (!r.isObject()) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "each resource must be an object");
      }
      String name = Json.text(r, "name", "resource");
      String algorithm = Json.text(r, "algorithm", "resource '" + safe(name) + "'");
      if (!expectedAlgorithm.equals(algorithm)) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "resource '" + safe(name)
            + "' has algorithm '" + safe(algorithm) + "', expected '" + expectedAlgorithm + "'");
      }
      byte[] d = Json.hex32(Json.text(r, "digest", "resource"), "digest of resource '" + safe(name) + "'");
      checkName(name, options, singleFile);
      list.add(new Manifest.Resource(name, algorithm, d));
    }
    Manifest manifest;
    try {
      manifest = Manifest.ofListed(subjectName, options, list);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.DUPLICATE_ENTRY, "signed manifest has a " + e.getMessage());
    }
    byte[] recomputed = manifest.rootDigest();
    if (!MessageDigest.isEqual(recomputed, subjectDigest)) {
      throw new VerificationException(Reason.ROOT_DIGEST_MISMATCH, "subject digest "
          + HexFormat.of().formatHex(subjectDigest) + " is not the root digest of the listed resources ("
          + HexFormat.of().formatHex(recomputed) + ")");
    }
    return new Decoded(predicateType, subjectName, subjectDigest, manifest);
  }

  private static Decoded decodeV01(JsonNode root) throws VerificationException {
    JsonNode subjects = Json.field(root, "subject", "statement");
    if (!subjects.isArray()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "statement.subject must be an array");
    }
    HashingOptions options = HashingOptions.files().withExactIgnorePaths(List.of());
    List<Manifest.Resource> list = new ArrayList<>();
    for (JsonNode s : subjects) {
      if (!s.isObject()) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "each subject must be an object");
      }
      String name = Json.text(s, "name", "subject");
      byte[] d = Json.hex32(Json.text(Json.field(s, "digest", "subject"), "sha256", "subject.digest"),
          "digest of '" + safe(name) + "'");
      checkName(name, options, subjects.size() == 1);
      list.add(new Manifest.Resource(name, HashingOptions.HASH_TYPE, d));
    }
    try {
      Manifest m = Manifest.ofListed("compat-undefined-not-present", options, list);
      return new Decoded(PREDICATE_V0_1, m.modelName(), m.rootDigest(), m);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.DUPLICATE_ENTRY, "signed manifest has a " + e.getMessage());
    }
  }

  private static HashingOptions serialization(JsonNode ser) throws VerificationException {
    if (!ser.isObject()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "predicate.serialization must be an object");
    }
    String method = Json.text(ser, "method", "serialization");
    String hashType = Json.text(ser, "hash_type", "serialization");
    if (!HashingOptions.HASH_TYPE.equals(hashType)) {
      throw new VerificationException(Reason.UNSUPPORTED,
          "hash type '" + safe(hashType) + "' is not supported (only sha256)");
    }
    HashingOptions o;
    if ("files".equals(method)) {
      o = HashingOptions.files();
    } else if ("shards".equals(method)) {
      JsonNode size = Json.field(ser, "shard_size", "serialization");
      if (!size.isNumber() || size.doubleValue() != Math.rint(size.doubleValue()) || size.doubleValue() < 1
          || size.doubleValue() > 1e15) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "serialization.shard_size must be a positive integer");
      }
      o = HashingOptions.shards((long) size.doubleValue());
    } else {
      throw new VerificationException(Reason.UNSUPPORTED, "serialization method '" + safe(method) + "' is not supported");
    }
    JsonNode allow = ser.get("allow_symlinks");
    boolean allowSymlinks;
    if (allow == null || allow.isNull()) {
      allowSymlinks = false;
    } else if (allow.isBoolean()) {
      allowSymlinks = allow.booleanValue();
    } else if (allow.isTextual() && (allow.textValue().equals("true") || allow.textValue().equals("false"))) {
      allowSymlinks = Boolean.parseBoolean(allow.textValue());
    } else {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, "serialization.allow_symlinks must be a boolean");
    }
    List<String> ignores = new ArrayList<>();
    JsonNode ig = ser.get("ignore_paths");
    if (ig != null && !ig.isNull()) {
      if (!ig.isArray()) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, "serialization.ignore_paths must be an array");
      }
      for (JsonNode p : ig) {
        if (!p.isTextual()) {
          throw new VerificationException(Reason.BUNDLE_MALFORMED, "ignore_paths entries must be strings");
        }
        ignores.add(p.textValue());
      }
    }
    try {
      return o.withAllowSymlinks(allowSymlinks).withExactIgnorePaths(ignores);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.UNSAFE_PATH, "signed " + e.getMessage());
    }
  }

  /** Checks that a resource name is a safe relative POSIX path (plus {@code :start:end} for shards). */
  static void checkName(String name, HashingOptions o, boolean singleFile) throws VerificationException {
    String path = name;
    if (o.method() == HashingOptions.Method.SHARDS) {
      int e = name.lastIndexOf(':');
      int s = e > 0 ? name.lastIndexOf(':', e - 1) : -1;
      if (s <= 0) {
        throw new VerificationException(Reason.UNSAFE_PATH, "shard name '" + safe(name) + "' is not path:start:end");
      }
      long start;
      long end;
      try {
        start = Long.parseLong(name.substring(s + 1, e));
        end = Long.parseLong(name.substring(e + 1));
      } catch (NumberFormatException ex) {
        throw new VerificationException(Reason.UNSAFE_PATH, "shard name '" + safe(name) + "' has non-numeric offsets");
      }
      if (start < 0 || end <= start || end - start > o.shardSize() || start % o.shardSize() != 0) {
        throw new VerificationException(Reason.UNSAFE_PATH, "shard '" + safe(name) + "' has invalid offsets for shard size "
            + o.shardSize());
      }
      path = name.substring(0, s);
    }
    if (path.equals(".") && singleFile) {
      return; // a single-file model: its only path is "." 
    }
    if (path.isEmpty()) {
      throw new VerificationException(Reason.UNSAFE_PATH, "manifest entry has an empty path");
    }
    if (path.indexOf('\0') >= 0) {
      throw new VerificationException(Reason.UNSAFE_PATH, "manifest path '" + safe(path) + "' contains a NUL character");
    }
    if (path.startsWith("/")) {
      throw new VerificationException(Reason.UNSAFE_PATH, "manifest path '" + safe(path) + "' is absolute");
    }
    for (String seg : path.split("/", -1)) {
      if (seg.equals("..")) {
        throw new VerificationException(Reason.UNSAFE_PATH, "manifest path '" + safe(path) + "' contains '..'");
      }
      if (seg.isEmpty() || seg.equals(".")) {
        throw new VerificationException(Reason.UNSAFE_PATH, "manifest path '" + safe(path) + "' is not normalized");
      }
    }
  }

  /** Makes an untrusted string printable and short for messages. */
  static String safe(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return s.length() > 200 ? b + "..." : b.toString();
  }
}
