package dev.warden.policies;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} and {@code ${NAME:-default}} substitution on the raw policy text, line by line, so
 * that line numbers of later errors still point at the file ops edit. {@code $${NAME}} is a literal
 * {@code ${NAME}}. Comment lines are left alone. An unset variable without a default is an error, not an empty string: an empty
 * issuer or URL would otherwise slip through as a valid-looking policy.
 */
final class EnvSubstitution {
  private static final Pattern REF =
      Pattern.compile("\\$?\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private EnvSubstitution() {}

  static String apply(Path file, String text, Map<String, String> env, List<PolicyProblem> problems) {
    StringBuilder out = new StringBuilder(text.length());
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].stripLeading().startsWith("#")) {
        out.append(lines[i]);
        if (i < lines.length - 1) {
          out.append('\n');
        }
        continue;
      }
      Matcher m = REF.matcher(lines[i]);
      StringBuilder line = new StringBuilder();
      while (m.find()) {
        String replacement;
        if (m.group().startsWith("$$")) {
          replacement = m.group().substring(1);
        } else {
          String value = env.get(m.group(1));
          if (value == null) {
            value = m.group(2);
          }
          if (value == null) {
            problems.add(new PolicyProblem(file, i + 1, m.start() + 1,
                "environment variable " + m.group(1) + " is not set (use ${" + m.group(1)
                    + ":-default} for a default)"));
            value = "";
          }
          replacement = value;
        }
        m.appendReplacement(line, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(line);
      out.append(line);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }
}
