package dev.warden.verifier;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates test resources (see src/test/resources/fixtures/README.md for their sources). */
public final class Fixtures {
  private Fixtures() {}

  public static Path path(String rel) {
    try {
      var url = Fixtures.class.getResource("/fixtures/" + rel);
      if (url == null) {
        throw new IllegalArgumentException("missing fixture " + rel);
      }
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path mt(String rel) {
    return path("model-transparency/" + rel);
  }

  public static Path publicGoodRoot() {
    return path("sigstore/public_good_trusted_root.json");
  }
}
