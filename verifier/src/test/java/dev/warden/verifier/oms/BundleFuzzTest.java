package dev.warden.verifier.oms;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.warden.verifier.Fixtures;
import dev.warden.verifier.VerificationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of the two parsers over a corpus of real bundles (model_signing fixtures in all modes):
 * whatever the input, parsing either succeeds or throws {@link VerificationException}, never another
 * exception. Deterministic seed; a few thousand cases.
 */
class BundleFuzzTest {
  static final List<String> CORPUS = List.of("v1.1.0-elliptic-key/model.sig", "v1.0.1-certificate/model.sig",
      "v1.1.0-sigstore/model.sig", "v0.3.1-elliptic-key/model.sig");

  @Test
  void mutatedBundles_failOnlyWithVerificationException() throws Exception {
    Random rnd = new Random(20261124);
    for (String c : CORPUS) {
      byte[] seed = Files.readAllBytes(Fixtures.mt(c));
      for (int i = 0; i < 300; i++) {
        byte[] m = mutate(seed, rnd);
        try {
          SigstoreBundle b = SigstoreBundle.parse(m);
          try {
            InTotoStatement.decode(b.payload());
          } catch (VerificationException expected) {
            assertNotNull(expected.getMessage());
          }
        } catch (VerificationException expected) {
          assertNotNull(expected.getMessage());
        } catch (RuntimeException e) {
          fail("unexpected " + e + " for mutation " + i + " of " + c, e);
        }
      }
    }
  }

  @Test
  void mutatedStatements_failOnlyWithVerificationException() throws Exception {
    Random rnd = new Random(7);
    for (String c : CORPUS) {
      byte[] payload = SigstoreBundle.parse(Files.readAllBytes(Fixtures.mt(c))).payload();
      for (int i = 0; i < 300; i++) {
        try {
          InTotoStatement.decode(mutate(payload, rnd));
        } catch (VerificationException expected) {
          assertNotNull(expected.getMessage());
        } catch (RuntimeException e) {
          fail("unexpected " + e + " for statement mutation " + i + " of " + c, e);
        }
      }
    }
  }

  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in.clone();
    switch (rnd.nextInt(5)) {
      case 0 -> { // flip bytes
        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 1 -> { // truncate
        b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
      }
      case 2 -> { // replace a byte with JSON punctuation
        String punct = "{}[]\":,0-e.\\ntfu";
        for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
          b[rnd.nextInt(b.length)] = (byte) punct.charAt(rnd.nextInt(punct.length()));
        }
      }
      case 3 -> { // duplicate a slice
        int from = rnd.nextInt(b.length);
        int len = Math.min(b.length - from, rnd.nextInt(200));
        byte[] out = new byte[b.length + len];
        System.arraycopy(b, 0, out, 0, from + len);
        System.arraycopy(b, from, out, from + len, b.length - from);
        b = out;
      }
      default -> { // swap a value for another type
        String s = new String(b, StandardCharsets.UTF_8);
        String[] swaps = {"\"sha256\"", "123", "\"files\"", "\"shards\"", "null", "[]", "{}", "true", "-1", "1e309",
            "\"" + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\""};
        int at = s.indexOf(':', rnd.nextInt(Math.max(1, s.length())));
        if (at > 0) {
          int end = at + 1;
          while (end < s.length() && s.charAt(end) != ',' && s.charAt(end) != '}') {
            end++;
          }
          s = s.substring(0, at + 1) + swaps[rnd.nextInt(swaps.length)] + s.substring(end);
        }
        b = s.getBytes(StandardCharsets.UTF_8);
      }
    }
    return b;
  }
}
