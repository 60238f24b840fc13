package dev.warden.verifier.oms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.verifier.Fixtures;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.Manifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statement Warden writes is field for field the one model_signing writes (its goldens). */
class InTotoStatementTest {
  static final ObjectMapper M = new ObjectMapper();

  @Test
  void decodeOfModelSigningGolden_thenEncode_givesTheSameStatement() throws Exception {
    for (String g : List.of("sample_model_folder", "sample_model_folder_small_shards", "sample_model_file",
        "empty_model_folder", "deep_model_folder_small_shards")) {
      byte[] golden = Files.readAllBytes(Fixtures.mt("goldens/" + g + ".json"));
      InTotoStatement.Decoded d = InTotoStatement.decode(golden);
      HashingOptions o = d.manifest().serialization().withExactIgnorePaths(List.of());
      Manifest m = Manifest.ofListed(d.subjectName(), o, d.manifest().resources());
      JsonNode ours = M.readTree(InTotoStatement.encode(m));
      JsonNode theirs = M.readTree(golden);
      // shard_size: model_signing's protobuf Struct writes 8.0, Warden writes 8 (both parse to the same number)
      JsonNode ser = theirs.at("/predicate/serialization");
      if (ser.has("shard_size")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) ser).put("shard_size", ser.get("shard_size").asLong());
      }
      assertEquals(M.readTree(M.writeValueAsString(theirs)), ours, g);
    }
  }

  @Test
  void shardSizeAsJsonDouble_isAccepted_butFractionRefused() throws Exception {
    byte[] golden = Files.readAllBytes(Fixtures.mt("goldens/sample_model_file_small_shards.json"));
    assertEquals(8, InTotoStatement.decode(golden).manifest().serialization().shardSize());
    String fractional = new String(golden, StandardCharsets.UTF_8).replace("\"shard_size\": 8.0", "\"shard_size\": 8.5");
    var e = assertThrows(VerificationException.class,
        () -> InTotoStatement.decode(fractional.getBytes(StandardCharsets.UTF_8)));
    assertEquals(VerificationException.Reason.BUNDLE_MALFORMED, e.reason());
  }

  @Test
  void paeMatchesTheDsseSpecExample() {
    // DSSE protocol.md: PAE("http://example.com/HelloWorld", "hello world")
    assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world",
        new String(Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8));
  }
}
