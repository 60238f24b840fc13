package dev.warden.verifier.oms;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.VerificationException.Reason;
import java.io.IOException;
import java.util.HexFormat;

/** Strict JSON reading (duplicate keys refused, bounded depth) and model_signing-like writing. */
final class Json {
  /** Deepest nesting accepted; a bundle needs 6. */
  static final int MAX_DEPTH = 32;

  static final ObjectMapper MAPPER;
  static final ObjectWriter PRETTY;

  static {
    JsonFactory f = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH)
            .maxStringLength(Integer.MAX_VALUE / 2)
            .build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    MAPPER = new ObjectMapper(f);
    MAPPER.enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter(
        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    pp = pp.withObjectIndenter(new DefaultIndenter("  ", "\n"));
    pp.indentArraysWith(new DefaultIndenter("  ", "\n"));
    PRETTY = MAPPER.writer(pp);
  }

  private Json() {}

  static JsonNode parse(byte[] json, String what) throws VerificationException {
    try {
      JsonParser p = MAPPER.getFactory().createParser(json);
      JsonNode n = MAPPER.readTree(p);
      if (n == null || !n.isObject()) {
        throw new VerificationException(Reason.BUNDLE_MALFORMED, what + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED,
          what + " is not valid JSON (truncated or garbled): " + firstLine(e.getMessage()), e);
    }
  }

  static JsonNode field(JsonNode obj, String name, String where) throws VerificationException {
    JsonNode n = obj.get(name);
    if (n == null || n.isNull()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, where + " lacks the field '" + name + "'");
    }
    return n;
  }

  static String text(JsonNode obj, String name, String where) throws VerificationException {
    JsonNode n = field(obj, name, where);
    if (!n.isTextual()) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, where + "." + name + " must be a string");
    }
    return n.textValue();
  }

  static byte[] hex32(String hex, String where) throws VerificationException {
    if (hex.length() != 64) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, where + " must be 64 hex digits");
    }
    try {
      return HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.BUNDLE_MALFORMED, where + " is not hexadecimal");
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }
}
