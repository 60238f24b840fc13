package dev.warden.crypto.he;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The HE packages form a strict chain ring → rlwe → ckks → inference: no file imports a higher layer. */
class LayeringTest {
  private static final List<String> LAYERS = List.of("ring", "rlwe", "ckks", "inference");
  private static final Pattern REF = Pattern.compile("dev\\.warden\\.crypto\\.he\\.(ring|rlwe|ckks|inference)\\b");

  @Test
  void noLayerImportsAHigherLayer() throws IOException {
    Path root = Path.of("src/main/java/dev/warden/crypto/he");
    assertTrue(Files.isDirectory(root), "run from the crypto module directory");
    List<String> violations = new ArrayList<>();
    int files = 0;
    for (String layer : LAYERS) {
      Path dir = root.resolve(layer);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path f : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
          files++;
          String text = Files.readString(f);
          Matcher m = REF.matcher(text);
          while (m.find()) {
            if (LAYERS.indexOf(m.group(1)) > LAYERS.indexOf(layer)) {
              violations.add(f + " → " + m.group());
            }
          }
          // the HE code depends on nothing else of Warden either (e.g. dp, secagg)
          if (text.matches("(?s).*import dev\\.warden\\.(?!crypto\\.he\\.).*")) {
            violations.add(f + " imports a non-HE Warden package");
          }
        }
      }
    }
    assertTrue(files > 10, "found the sources");
    assertEquals(List.of(), violations);
  }
}
