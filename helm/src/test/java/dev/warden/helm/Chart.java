package dev.warden.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart under test ({@code helm/warden}), rendered offline with helm-java's embedded Helm, and the parsed
 * result. Values are given as YAML text (written to a values file) so nested lists and maps are exact.
 */
final class Chart {
  static final String RELEASE = "rel";
  static final String NAMESPACE = "ml";
  static final YAMLMapper YAML = new YAMLMapper();

  private Chart() {}

  /** The module's base directory (Surefire runs tests there; {@code basedir} is set by Maven). */
  static Path moduleDir() {
    Path dir = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("warden/Chart.yaml"))) {
      throw new IllegalStateException("helm/warden/Chart.yaml not found from " + dir);
    }
    return dir;
  }

  static Path chartDir() {
    return moduleDir().resolve("warden");
  }

  static Path repoRoot() {
    return moduleDir().getParent();
  }

  static Helm helm() {
    return new Helm(chartDir());
  }

  /** Renders with the given values YAML (may be empty for the chart's defaults). */
  static Manifests render(String valuesYaml) {
    return Manifests.parse(renderText(valuesYaml));
  }

  static String renderText(String valuesYaml) {
    Path values = writeValues(valuesYaml);
    try {
      return helm().template().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(values).call();
    } finally {
      deleteQuietly(values);
    }
  }

  /** Renders expecting failure; returns Helm's message (the schema's errors). */
  static String renderFailure(String valuesYaml) {
    Path values = writeValues(valuesYaml);
    try {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> helm().template().withName(RELEASE).withValuesFile(values).call(),
              "values should have been refused:\n" + valuesYaml);
      return e.getMessage();
    } finally {
      deleteQuietly(values);
    }
  }

  private static Path writeValues(String valuesYaml) {
    try {
      Path file = Files.createTempFile("warden-values-", ".yaml");
      Files.writeString(file, valuesYaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover temp file in target/ is harmless
    }
  }

  /** The parsed documents of one rendering. */
  static final class Manifests {
    final List<JsonNode> docs;

    private Manifests(List<JsonNode> docs) {
      this.docs = docs;
    }

    static Manifests parse(String text) {
      List<JsonNode> docs = new ArrayList<>();
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && doc.isObject() && doc.has("kind")) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new AssertionError("rendered YAML does not parse: " + e.getMessage() + "\n" + text, e);
      }
      return new Manifests(docs);
    }

    List<JsonNode> ofKind(String kind) {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode d : docs) {
        if (kind.equals(d.path("kind").asText())) {
          out.add(d);
        }
      }
      return out;
    }

    JsonNode one(String kind, String name) {
      for (JsonNode d : ofKind(kind)) {
        if (name.equals(d.path("metadata").path("name").asText())) {
          return d;
        }
      }
      return fail("no " + kind + " named " + name + " among " + summary());
    }

    boolean has(String kind, String name) {
      return ofKind(kind).stream().anyMatch(d -> name.equals(d.path("metadata").path("name").asText()));
    }

    List<String> summary() {
      List<String> out = new ArrayList<>();
      for (JsonNode d : docs) {
        out.add(d.path("kind").asText() + "/" + d.path("metadata").path("name").asText());
      }
      return out;
    }

    /** Every pod template of every workload. */
    List<JsonNode> podSpecs() {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode d : ofKind("Deployment")) {
        out.add(d.path("spec").path("template").path("spec"));
      }
      return out;
    }
  }

  /** Init containers followed by containers. */
  static List<JsonNode> allContainers(JsonNode podSpec) {
    List<JsonNode> out = new ArrayList<>();
    podSpec.path("initContainers").forEach(out::add);
    podSpec.path("containers").forEach(out::add);
    return out;
  }

  static JsonNode container(JsonNode list, String name) {
    for (JsonNode c : list) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    return null;
  }

  static JsonNode byName(JsonNode list, String name) {
    JsonNode found = container(list, name);
    if (found == null) {
      fail("no entry named " + name + " in " + list);
    }
    return found;
  }

  static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new java.util.TreeMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** Asserts every entry of {@code selector} is in {@code labels} (a selector that selects the labelled object). */
  static void assertSelects(JsonNode selector, JsonNode labels, String what) {
    assertTrue(selector.isObject() && selector.size() > 0, what + ": empty selector selects everything");
    selector
        .fields()
        .forEachRemaining(
            e ->
                assertEquals(
                    e.getValue().asText(),
                    labels.path(e.getKey()).asText(null),
                    what + ": selector " + e.getKey() + " does not match the labels " + labels));
  }

  static boolean selects(JsonNode selector, JsonNode labels) {
    var it = selector.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  static String envValue(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (name.equals(e.path("name").asText())) {
        return e.path("value").asText(null);
      }
    }
    return null;
  }
}
