package dev.warden.verifier.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.verifier.CertificateChainAuthority;
import dev.warden.verifier.IdentityPolicy;
import dev.warden.verifier.KeyAuthority;
import dev.warden.verifier.KeylessAuthority;
import dev.warden.verifier.ModelVerifier;
import dev.warden.verifier.Pem;
import dev.warden.verifier.SignatureAuthority;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.VerifiedModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code warden verify {key|certificate|sigstore} PATH --signature F ...}: checks a model (or dataset)
 * directory or file against its OMS signature. Exit 0 verified, 1 check failed (reason on stderr), 2 usage.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Verify a model or dataset against an OpenSSF model-signing signature.",
    subcommands = {VerifyCommand.Key.class, VerifyCommand.Certificate.class, VerifyCommand.Sigstore.class})
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: key, certificate or sigstore");
  }

  /** Options common to the three modes. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "Model or dataset directory, or a single file.")
    Path model;

    @Option(names = "--signature", required = true, paramLabel = "FILE", description = "The signature bundle.")
    Path signature;

    @Option(names = {"--ignore-paths", "--ignore_paths"}, arity = "1..*", paramLabel = "PATH",
        description = "Paths to ignore besides those recorded in the signature.")
    List<String> ignorePaths = new ArrayList<>();

    @Option(names = {"--ignore-unsigned-files", "--ignore_unsigned_files"},
        description = "Accept files that are not in the signature (missing or changed files still fail).")
    boolean ignoreUnsignedFiles;

    @Mixin Output output;

    abstract SignatureAuthority authority() throws VerificationException;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      SignatureAuthority authority;
      try {
        authority = authority();
      } catch (VerificationException e) {
        return output.failed(spec, "Verification", e);
      }
      ModelVerifier verifier = ModelVerifier.builder(authority)
          .ignorePaths(CliPaths.relativeIgnores(model, ignorePaths))
          .ignoreUnsignedFiles(ignoreUnsignedFiles).build();
      VerifiedModel v;
      Progress p = output.progress(spec.commandLine().getErr());
      try {
        v = verifier.verify(model, signature, Output.sink(p), null);
      } catch (VerificationException e) {
        return output.failed(spec, "Verification", e);
      } finally {
        if (p != null) {
          p.close();
        }
      }
      double secs = v.elapsed().toNanos() / 1e9;
      if (output.json) {
        ObjectNode n = output.object();
        n.put("verified", true);
        n.put("path", model.toString());
        n.put("rootDigest", v.rootDigest());
        ObjectNode s = n.putObject("signer");
        s.put("identity", v.signer().identity());
        if (v.signer().issuer() != null) {
          s.put("issuer", v.signer().issuer());
        }
        if (v.signer().signedAt() != null) {
          s.put("signedAt", v.signer().signedAt().toString());
        }
        n.put("predicateType", v.predicateType());
        n.put("method", v.method());
        n.put("files", v.files());
        n.put("bytes", v.bytes());
        n.put("seconds", Math.round(secs * 1000) / 1000.0);
        output.printJson(out, n);
      } else {
        out.printf(Locale.ROOT, "Verified %s: root sha256:%s, signed by %s (%d files, %s, %.2f s)%n", model,
            v.rootDigest(), v.signer().identity() + (v.signer().issuer() != null ? " via " + v.signer().issuer() : ""),
            v.files(), Output.bytes(v.bytes()), secs);
        out.flush();
      }
      return 0;
    }
  }

  /** {@code verify key}. */
  @Command(name = "key", mixinStandardHelpOptions = true, description = "Verify a signature made with an EC private key.")
  public static final class Key extends Base {
    @Option(names = {"--public-key", "--public_key"}, required = true, paramLabel = "PEM", description = "The signer's public key.")
    Path publicKey;

    @Override
    SignatureAuthority authority() throws VerificationException {
      return new KeyAuthority(Pem.readPublicKey(publicKey));
    }
  }

  /** {@code verify certificate}. */
  @Command(name = "certificate", mixinStandardHelpOptions = true,
      description = "Verify a signature made with a certificate that chains to the given trust anchors.")
  public static final class Certificate extends Base {
    @Option(names = {"--certificate-chain", "--certificate_chain"}, required = true, arity = "1..*", paramLabel = "PEM",
        description = "Trust anchors (root and/or intermediate CA certificates).")
    List<Path> anchors;

    @ArgGroup(exclusive = true)
    IdentityArgs identity;

    static final class IdentityArgs {
      @Option(names = "--identity", paramLabel = "SAN", description = "Required e-mail/URI/DNS SAN of the signing certificate.")
      String san;

      @Option(names = "--identity-regex", paramLabel = "REGEX", description = "Regex the whole SAN must match.")
      String sanRegex;

      @Option(names = "--subject", paramLabel = "DN", description = "Required subject DN (RFC 2253).")
      String subject;

      @Option(names = "--subject-regex", paramLabel = "REGEX", description = "Regex the whole subject DN must match.")
      String subjectRegex;
    }

    @Override
    SignatureAuthority authority() throws VerificationException {
      IdentityPolicy policy = IdentityPolicy.any();
      if (identity != null) {
        policy = identity.san != null ? IdentityPolicy.sanEquals(identity.san)
            : identity.sanRegex != null ? IdentityPolicy.sanMatches(identity.sanRegex)
            : identity.subject != null ? IdentityPolicy.subjectEquals(identity.subject)
            : IdentityPolicy.subjectMatches(identity.subjectRegex);
      }
      return new CertificateChainAuthority(Pem.readCertificates(anchors), policy);
    }
  }

  /** {@code verify sigstore}. */
  @Command(name = "sigstore", mixinStandardHelpOptions = true,
      description = "Verify a Sigstore keyless signature offline, against a local trusted root.")
  public static final class Sigstore extends Base {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Id identity;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Issuer issuer;

    @Option(names = {"--trust-root", "--trust_config", "--trust-config"}, required = true, paramLabel = "JSON",
        description = "Sigstore trusted_root.json (no network access is made).")
    Path trustRoot;

    static final class Id {
      @Option(names = "--identity", required = true, paramLabel = "ID", description = "Required certificate identity.")
      String exact;

      @Option(names = "--identity-regex", required = true, paramLabel = "REGEX", description = "Regex the whole identity must match.")
      String regex;
    }

    static final class Issuer {
      @Option(names = {"--identity-provider", "--identity_provider"}, required = true, paramLabel = "ISSUER",
          description = "Required OIDC issuer.")
      String exact;

      @Option(names = "--identity-provider-regex", required = true, paramLabel = "REGEX",
          description = "Regex the whole OIDC issuer must match.")
      String regex;
    }

    @Override
    SignatureAuthority authority() throws VerificationException {
      KeylessAuthority.Match id = identity.exact != null ? KeylessAuthority.Match.exact(identity.exact)
          : KeylessAuthority.Match.regex(identity.regex);
      KeylessAuthority.Match iss = issuer.exact != null ? KeylessAuthority.Match.exact(issuer.exact)
          : KeylessAuthority.Match.regex(issuer.regex);
      return new KeylessAuthority(trustRoot, id, iss);
    }
  }
}
