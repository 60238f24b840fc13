package dev.warden.verifier.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.hashing.HashProgress;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Output options shared by sign, verify and digest (a picocli mixin). */
public final class Output {
  static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = {"-q", "--quiet"}, description = "No progress; print only the result.")
  boolean quiet;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(names = "--progress", hidden = true, description = "Show progress even when stderr is not a terminal.")
  boolean forceProgress;

  /** A progress sink: live on a terminal (or when forced), silent otherwise. */
  Progress progress(PrintWriter err) {
    boolean on = !quiet && (forceProgress || System.console() != null);
    return on ? new Progress(err) : null;
  }

  static HashProgress sink(Progress p) {
    return p == null ? HashProgress.NONE : p;
  }

  ObjectNode object() {
    return JSON.createObjectNode();
  }

  void printJson(PrintWriter out, ObjectNode node) {
    out.println(node.toString());
    out.flush();
  }

  /** Prints a failed check (exit 1). */
  int failed(CommandLine.Model.CommandSpec spec, String what, VerificationException e) {
    if (json) {
      ObjectNode n = object();
      n.put("verified", false);
      n.put("error", e.getMessage());
      n.put("code", e.reason().name());
      printJson(spec.commandLine().getOut(), n);
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println(what + " failed: " + e.getMessage() + " [" + e.reason().name().toLowerCase(Locale.ROOT) + "]");
    err.flush();
    return 1;
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] u = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int i = -1;
    while (v >= 1024 && i < u.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, u[i]);
  }
}
