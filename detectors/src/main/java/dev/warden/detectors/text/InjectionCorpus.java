package dev.warden.detectors.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The bundled prompt-injection corpus (see {@code text/README.md}): training and test sets kept apart. */
public final class InjectionCorpus {
  /** One labelled text (label 1 = injection). */
  public record Example(int label, String text) {}

  /** Samples drawn per template (seeded): enough variety without drowning the hand-written lines. */
  static final int SAMPLES_PER_TEMPLATE = 40;
  /** Seed of the template expansion (reproducible corpus). */
  static final long SEED = 1234;

  private static final String BASE = "/dev/warden/detectors/text/";
  private static final Pattern SLOT = Pattern.compile("\\{(\\w+)}");

  private InjectionCorpus() {}

  /** Hand-written training lines plus the expanded templates, de-duplicated. */
  public static List<Example> training() {
    List<Example> out = new ArrayList<>(readTsv("injection-train-handwritten.tsv"));
    Map<String, String[]> slots = new HashMap<>();
    List<String[]> templates = new ArrayList<>();
    for (String line : lines("injection-train-templates.txt")) {
      String[] parts = line.split("\t", 2);
      if (parts.length != 2) throw new IllegalStateException("bad template line: " + line);
      if (parts[0].startsWith("@")) slots.put(parts[0].substring(1), parts[1].split("\\|"));
      else templates.add(parts);
    }
    Random rnd = new Random(SEED);
    Set<String> seen = new LinkedHashSet<>();
    for (Example e : out) seen.add(e.text());
    for (String[] t : templates) {
      int label = Integer.parseInt(t[0]);
      for (int s = 0; s < SAMPLES_PER_TEMPLATE; s++) {
        Map<String, String> chosen = new HashMap<>();
        Matcher m = SLOT.matcher(t[1]);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
          String[] values = slots.get(m.group(1));
          if (values == null) throw new IllegalStateException("template uses unknown slot {" + m.group(1) + "}");
          String v = chosen.computeIfAbsent(m.group(1), k -> values[rnd.nextInt(values.length)]);
          m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        String text = sb.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + sb.substring(1);
        if (seen.add(text)) out.add(new Example(label, text));
      }
    }
    return out;
  }

  /** The held-out test set. */
  public static List<Example> test() {
    return readTsv("injection-test.tsv");
  }

  private static List<Example> readTsv(String name) {
    List<Example> out = new ArrayList<>();
    for (String line : lines(name)) {
      String[] parts = line.split("\t", 2);
      if (parts.length != 2) throw new IllegalStateException(name + ": bad line: " + line);
      out.add(new Example(Integer.parseInt(parts[0]), parts[1]));
    }
    return out;
  }

  private static List<String> lines(String name) {
    InputStream in = InjectionCorpus.class.getResourceAsStream(BASE + name);
    if (in == null) throw new IllegalStateException("corpus file missing from class path: " + BASE + name);
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) continue;
        out.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
