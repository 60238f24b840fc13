package dev.warden.verifier.cli;

import dev.warden.verifier.hashing.HashingOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Serialization options of sign and digest (a picocli mixin). */
public final class HashingArgs {
  @Option(names = "--method", defaultValue = "files", description = "Serialization: files or shards (default ${DEFAULT-VALUE}).")
  String method;

  @Option(names = {"--shard-size", "--shard_size"}, defaultValue = "1000000000",
      description = "Shard size in bytes for --method shards (default ${DEFAULT-VALUE}).")
  long shardSize;

  @Option(names = {"--allow-symlinks", "--allow_symlinks"},
      description = "Hash symlinks that point to files inside the model (never outside it).")
  boolean allowSymlinks;

  @Option(names = {"--ignore-paths", "--ignore_paths"}, arity = "1..*", paramLabel = "PATH",
      description = "Paths to ignore (relative to the model, or to the current directory inside the model).")
  List<String> ignorePaths = new ArrayList<>();

  HashingOptions options(java.nio.file.Path model) {
    HashingOptions o = switch (method) {
      case "files" -> HashingOptions.files();
      case "shards" -> HashingOptions.shards(shardSize);
      default -> throw new IllegalArgumentException("--method must be files or shards, got '" + method + "'");
    };
    return o.withAllowSymlinks(allowSymlinks).withIgnorePaths(CliPaths.relativeIgnores(model, ignorePaths));
  }
}
