package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartLintTest {
  @Test
  void strictLint_passesWithoutWarnings() {
    LintResult result = Chart.helm().lint().strict().call();
    assertFalse(result.isFailed(), "helm lint --strict failed: " + result.getMessages());
    for (String message : result.getMessages()) {
      assertFalse(message.contains("[ERROR]") || message.contains("[WARNING]"), message);
    }
  }

  @Test
  void strictLint_refusesACopyWhoseDefaultsBreakTheSchema(@TempDir Path tmp) throws IOException {
    Path copy = tmp.resolve("warden");
    copyTree(Chart.chartDir(), copy);
    Path values = copy.resolve("values.yaml");
    Files.writeString(values, Files.readString(values).replace("mode: standalone", "mode: bogus"));

    LintResult result = new Helm(copy).lint().strict().call();

    assertTrue(result.isFailed(), "lint should fail: " + result.getMessages());
    String messages = String.join("\n", result.getMessages());
    assertTrue(messages.contains("mode must be one of the following"), messages);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
