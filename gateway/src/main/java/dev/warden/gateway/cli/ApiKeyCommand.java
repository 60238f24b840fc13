package dev.warden.gateway.cli;

import dev.warden.gateway.auth.ApiKeyIndex;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "apikey", mixinStandardHelpOptions = true,
    description = "Create an API key: prints the key once and appends its SHA-256 to a hash file "
        + "(the file a tenant's apiKeys.sha256File names). The key itself is stored nowhere.")
final class ApiKeyCommand implements Callable<Integer> {
  @Option(names = "--append-to", description = "Hash file to append the new key's SHA-256 to.")
  Path hashFile;

  @Option(names = "--prefix", defaultValue = "wdn_", description = "Key prefix (helps secret scanners).")
  String prefix;

  @Override
  public Integer call() throws Exception {
    String key = newKey(prefix);
    String hash = ApiKeyIndex.hashHex(key);
    if (hashFile != null) {
      Files.writeString(hashFile, hash + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      System.err.println("appended sha256 to " + hashFile);
    }
    System.out.println(key);
    if (hashFile == null) {
      System.err.println("sha256: " + hash);
    }
    return 0;
  }

  static String newKey(String prefix) {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
