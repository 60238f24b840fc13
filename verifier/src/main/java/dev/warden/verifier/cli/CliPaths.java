package dev.warden.verifier.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Resolves CLI ignore paths as model_signing does: relative to the current directory when they point inside the model. */
final class CliPaths {
  private CliPaths() {}

  static List<String> relativeIgnores(Path model, List<String> given) {
    Path root = model.toAbsolutePath().normalize();
    List<String> out = new ArrayList<>();
    for (String g : given) {
      Path p = Path.of(g);
      Path abs = p.toAbsolutePath().normalize();
      if (abs.startsWith(root) && !abs.equals(root)) {
        out.add(root.relativize(abs).toString().replace('\\', '/'));
      } else if (p.isAbsolute()) {
        continue; // outside the model: nothing to ignore
      } else {
        out.add(g);
      }
    }
    return out;
  }
}
