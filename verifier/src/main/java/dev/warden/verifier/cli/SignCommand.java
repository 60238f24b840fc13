package dev.warden.verifier.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.hashing.HashingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code warden sign {key|certificate} PATH --signature OUT --private-key PEM ...}: writes an OMS signature
 * that {@code model_signing} verifies. Exit 0 signed, 1 failed (reason on stderr), 2 usage.
 */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = "Sign a model or dataset in the OpenSSF model-signing format.",
    subcommands = {SignCommand.Key.class, SignCommand.Certificate.class})
public final class SignCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: key or certificate");
  }

  abstract static class Base implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "Model or dataset directory, or a single file.")
    Path model;

    @Option(names = "--signature", defaultValue = "model.sig", paramLabel = "OUT",
        description = "Where to write the signature (default ${DEFAULT-VALUE}; inside the model it is ignored).")
    Path signature;

    @Option(names = {"--private-key", "--private_key"}, required = true, paramLabel = "PEM", description = "EC private key.")
    Path privateKey;

    @Option(names = "--password-env", paramLabel = "VAR", description = "Environment variable holding the key's password.")
    String passwordEnv;

    @Mixin HashingArgs hashing;
    @Mixin Output output;

    abstract ModelSigner signer(PrivateKey key) throws VerificationException;

    @Override
    public Integer call() {
      HashingOptions options;
      try {
        options = hashing.options(model);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      Progress p = output.progress(spec.commandLine().getErr());
      ModelSigner.Signed s;
      try {
        char[] password = passwordEnv == null ? null : System.getenv().getOrDefault(passwordEnv, "").toCharArray();
        s = signer(Pem.readPrivateKey(privateKey, password)).sign(model, signature, options, Output.sink(p));
      } catch (VerificationException e) {
        return output.failed(spec, "Signing", e);
      } finally {
        if (p != null) {
          p.close();
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.json) {
        ObjectNode n = output.object();
        n.put("signed", true);
        n.put("path", model.toString());
        n.put("signature", signature.toString());
        n.put("rootDigest", s.rootDigest());
        n.put("files", s.files());
        n.put("bytes", s.bytes());
        output.printJson(out, n);
      } else {
        out.printf(Locale.ROOT, "Signed %s: root sha256:%s (%d files, %s) -> %s%n", model, s.rootDigest(), s.files(),
            Output.bytes(s.bytes()), signature);
        out.flush();
      }
      return 0;
    }
  }

  /** {@code sign key}. */
  @Command(name = "key", mixinStandardHelpOptions = true, description = "Sign with an EC private key (P-256/384/521).")
  public static final class Key extends Base {
    @Override
    ModelSigner signer(PrivateKey key) throws VerificationException {
      return ModelSigner.withKey(key, null);
    }
  }

  /** {@code sign certificate}. */
  @Command(name = "certificate", mixinStandardHelpOptions = true,
      description = "Sign with a private key and its certificate; the chain is embedded in the signature.")
  public static final class Certificate extends Base {
    @Option(names = {"--signing-certificate", "--signing_certificate"}, required = true, paramLabel = "PEM",
        description = "The signing certificate (its key is --private-key).")
    Path signingCertificate;

    @Option(names = {"--certificate-chain", "--certificate_chain"}, arity = "1..*", paramLabel = "PEM",
        description = "Intermediate (and optionally root) certificates to embed, in order.")
    List<Path> chain = new ArrayList<>();

    @Override
    ModelSigner signer(PrivateKey key) throws VerificationException {
      var leaf = Pem.readCertificates(List.of(signingCertificate)).get(0);
      var rest = chain.isEmpty() ? List.<java.security.cert.X509Certificate>of() : Pem.readCertificates(chain);
      return ModelSigner.withCertificate(key, leaf, rest, null);
    }
  }
}
