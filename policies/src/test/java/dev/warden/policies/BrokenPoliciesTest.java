package dev.warden.policies;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each file under {@code broken/} states on its first line the {@code line:col: message} that
 * {@code policy check} must report for it; the test holds the loader to that.
 */
class BrokenPoliciesTest {
  static Stream<Path> brokenPolicies() throws IOException {
    Path dir = Path.of("src/test/resources/broken");
    return Files.list(dir).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest
  @MethodSource("brokenPolicies")
  void eachBrokenPolicy_failsAtTheExpectedLineWithItsMessage(Path file) throws IOException {
    String first = Files.readAllLines(file).get(0);
    assertTrue(first.startsWith("# expect: "), "first line must state the expectation: " + file);
    String expected = first.substring("# expect: ".length());
    List<String> problems = PolicyCheck.check(file);
    assertFalse(problems.isEmpty(), "expected a problem in " + file);
    String want = file + ":" + expected;
    assertTrue(problems.stream().anyMatch(p -> p.startsWith(want)),
        "want " + want + "\n got " + problems);
  }
}
