package dev.warden.policies;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a Jackson tree while remembering where every value and every key stood,
 * keyed by JSON Pointer. Schema errors and semantic errors are reported against pointers; this map
 * turns them into {@code file:line:col}. Duplicate keys, which YAML parsers silently resolve
 * last-wins, are errors here: in a security policy the shadowed value is usually the one ops meant.
 */
public final class LocatedTree {
  private static final YAMLFactory YAML = YAMLFactory.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  final Path file;
  final JsonNode root;
  private final Map<String, int[]> valueAt;
  private final Map<String, int[]> keyAt;

  private LocatedTree(Path file, JsonNode root, Map<String, int[]> valueAt, Map<String, int[]> keyAt) {
    this.file = file;
    this.root = root;
    this.valueAt = valueAt;
    this.keyAt = keyAt;
  }

  /** Parses {@code text}; syntax errors and duplicate keys are added to {@code problems}. */
  static LocatedTree parse(Path file, String text, List<PolicyProblem> problems) {
    Map<String, int[]> valueAt = new HashMap<>();
    Map<String, int[]> keyAt = new HashMap<>();
    try (JsonParser p = YAML.createParser(text)) {
      if (p.nextToken() == null) {
        problems.add(new PolicyProblem(file, 1, 1, "the file is empty"));
        return new LocatedTree(file, NODES.nullNode(), valueAt, keyAt);
      }
      Reader reader = new Reader(file, p, valueAt, keyAt, problems);
      JsonNode root = reader.read("");
      if (p.nextToken() != null) {
        int[] at = at(p.currentTokenLocation());
        problems.add(new PolicyProblem(file, at[0], at[1],
            "more than one YAML document in the file: a policy file holds exactly one"));
      }
      return new LocatedTree(file, root, valueAt, keyAt);
    } catch (IOException e) {
      int line = 0;
      int col = 0;
      if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
        line = jpe.getLocation().getLineNr();
        col = jpe.getLocation().getColumnNr();
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
      problems.add(new PolicyProblem(file, Math.max(line, 1), Math.max(col, 1), "YAML syntax error: " + msg));
      return new LocatedTree(file, NODES.nullNode(), valueAt, keyAt);
    }
  }

  /** The problem located at the value under {@code pointer}, or its nearest located ancestor. */
  PolicyProblem problemAtValue(String pointer, String message) {
    // A problem with a whole mapping or list reads best at its key ("authority:"), a scalar's at
    // the value itself.
    return locate(pointer, isContainer(pointer), message);
  }

  /** The problem located at the key of {@code pointer} (for unknown or misplaced keys). */
  PolicyProblem problemAtKey(String pointer, String message) {
    return locate(pointer, true, message);
  }

  private PolicyProblem locate(String pointer, boolean preferKey, String message) {
    String p = pointer;
    while (true) {
      int[] at = preferKey ? keyAt.getOrDefault(p, valueAt.get(p)) : valueAt.get(p);
      if (at != null) {
        return new PolicyProblem(file, at[0], at[1], message);
      }
      if (p.isEmpty()) {
        return new PolicyProblem(file, 1, 1, message);
      }
      p = p.substring(0, p.lastIndexOf('/'));
    }
  }

  private boolean isContainer(String pointer) {
    JsonNode n = pointer.isEmpty() ? root : root.at(pointer);
    return n.isContainerNode();
  }

  static String child(String pointer, String key) {
    return pointer + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  static String child(String pointer, int index) {
    return pointer + "/" + index;
  }

  private static int[] at(JsonLocation loc) {
    return new int[] {loc.getLineNr(), loc.getColumnNr()};
  }

  private static final class Reader {
    private final Path file;
    private final JsonParser p;
    private final Map<String, int[]> valueAt;
    private final Map<String, int[]> keyAt;
    private final List<PolicyProblem> problems;

    Reader(Path file, JsonParser p, Map<String, int[]> valueAt, Map<String, int[]> keyAt,
        List<PolicyProblem> problems) {
      this.file = file;
      this.p = p;
      this.valueAt = valueAt;
      this.keyAt = keyAt;
      this.problems = problems;
    }

    JsonNode read(String pointer) throws IOException {
      JsonToken t = p.currentToken();
      valueAt.put(pointer, at(p.currentTokenLocation()));
      switch (t) {
        case START_OBJECT: {
          ObjectNode o = NODES.objectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String ptr = child(pointer, name);
            int[] keyLoc = at(p.currentTokenLocation());
            p.nextToken();
            if (o.has(name)) {
              problems.add(new PolicyProblem(file, keyLoc[0], keyLoc[1],
                  "duplicate key '" + name + "' (first defined at line " + keyAt.get(ptr)[0] + ")"));
              read(ptr + "#dup");
              continue;
            }
            keyAt.put(ptr, keyLoc);
            o.set(name, read(ptr));
          }
          return o;
        }
        case START_ARRAY: {
          ArrayNode a = NODES.arrayNode();
          List<JsonNode> items = new ArrayList<>();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(read(child(pointer, items.size())));
          }
          a.addAll(items);
          return a;
        }
        case VALUE_STRING:
          return NODES.textNode(p.getText());
        case VALUE_NUMBER_INT:
          return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
              ? NODES.numberNode(p.getBigIntegerValue()) : NODES.numberNode(p.getLongValue());
        case VALUE_NUMBER_FLOAT:
          return NODES.numberNode(p.getDoubleValue());
        case VALUE_TRUE:
          return NODES.booleanNode(true);
        case VALUE_FALSE:
          return NODES.booleanNode(false);
        case VALUE_NULL:
          return NODES.nullNode();
        default:
          throw new IOException("unexpected YAML token " + t);
      }
    }
  }
}
