package dev.warden.verifier.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.hashing.HashingException;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code warden digest PATH}: prints the model's root digest (as in a signature made with the same options). */
@Command(name = "digest", mixinStandardHelpOptions = true,
    description = "Print the root digest of a model or dataset (SHA-256 over its file or shard digests).")
public final class DigestCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "Model or dataset directory, or a single file.")
  Path model;

  @Mixin HashingArgs hashing;
  @Mixin Output output;

  @Override
  public Integer call() {
    HashingOptions options;
    try {
      options = hashing.options(model);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Progress p = output.progress(spec.commandLine().getErr());
    long t0 = System.nanoTime();
    ModelHasher.Result r;
    try (ModelHasher h = new ModelHasher()) {
      r = h.hash(model, options, null, null, Output.sink(p));
    } catch (IOException e) {
      PrintWriter err = spec.commandLine().getErr();
      String kind = e instanceof HashingException he ? " [" + he.kind().name().toLowerCase(Locale.ROOT) + "]" : "";
      err.println("Digest failed: " + e.getMessage() + kind);
      err.flush();
      return 1;
    } finally {
      if (p != null) {
        p.close();
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    PrintWriter out = spec.commandLine().getOut();
    if (output.json) {
      ObjectNode n = output.object();
      n.put("path", model.toString());
      n.put("rootDigest", r.manifest().rootDigestHex());
      n.put("method", options.method().wireName());
      n.put("resources", r.manifest().resources().size());
      n.put("files", r.files());
      n.put("bytes", r.bytes());
      n.put("seconds", Math.round(secs * 1000) / 1000.0);
      output.printJson(out, n);
    } else {
      out.println(r.manifest().rootDigestHex());
      out.flush();
    }
    return 0;
  }
}
