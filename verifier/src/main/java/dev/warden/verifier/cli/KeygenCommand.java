package dev.warden.verifier.cli;

import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.Pem;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code warden keygen}: a new ECDSA signing key pair as PEM files (private key mode 0600). */
@Command(name = "keygen", mixinStandardHelpOptions = true, description = "Generate an ECDSA key pair for model signing.")
public final class KeygenCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"--private-key", "--private_key"}, defaultValue = "model-signing.key", paramLabel = "OUT",
      description = "Private key file, PKCS#8 PEM (default ${DEFAULT-VALUE}; never overwritten).")
  Path privateKey;

  @Option(names = {"--public-key", "--public_key"}, defaultValue = "model-signing.pub", paramLabel = "OUT",
      description = "Public key file, PEM (default ${DEFAULT-VALUE}).")
  Path publicKey;

  @Option(names = "--curve", defaultValue = "P256", paramLabel = "CURVE",
      description = "P256, P384 or P521 (default ${DEFAULT-VALUE}).")
  EcCurve curve;

  @Override
  public Integer call() {
    KeyPair kp = KeyGenerator.generate(curve);
    try {
      KeyGenerator.write(kp, privateKey, publicKey);
    } catch (IOException e) {
      spec.commandLine().getErr().println("Key generation failed: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    spec.commandLine().getOut().println("Wrote " + privateKey + " and " + publicKey + " (" + curve + ", hint "
        + Pem.keyHint(kp.getPublic()) + ")");
    spec.commandLine().getOut().flush();
    return 0;
  }
}
