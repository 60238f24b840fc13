package dev.warden.gateway.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code warden audit}: {@code verify} an audit file, {@code keygen} a signing key pair.
 *
 * <p>Exit codes: 0 success; 1 the file failed verification (the message is {@code FILE:LINE: why});
 * 2 usage error or a file that cannot be read or written. Never calls {@code System.exit}: register
 * it as a subcommand and let the top-level command return the code. Output goes to the command
 * line's {@code getOut()} / {@code getErr()} writers.
 */
@Command(
    name = "audit",
    description = "Tamper-evident audit trail: verify a file, create a signing key pair.",
    mixinStandardHelpOptions = true,
    subcommands = {AuditCommand.Verify.class, AuditCommand.Keygen.class})
public final class AuditCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int TAMPERED = 1;
  static final int USAGE = 2;

  @Spec CommandSpec spec;

  /** {@code warden audit} alone: print the usage, exit 2. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return USAGE;
  }

  /** {@code warden audit verify FILE --public-key PEM [--require-final-checkpoint] [--json]}. */
  @Command(
      name = "verify",
      description = {
        "Check an audit file's hash chain and Ed25519 checkpoint signatures.",
        "Exit 0 intact, 1 tampered (prints FILE:LINE: why), 2 usage or I/O error."
      },
      mixinStandardHelpOptions = true)
  public static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The audit file (JSON lines).")
    Path file;

    @Option(names = "--public-key", required = true, paramLabel = "PEM",
        description = "Ed25519 public key (PEM, -----BEGIN PUBLIC KEY-----).")
    Path publicKey;

    @Option(names = "--require-final-checkpoint",
        description = "Fail unless the file ends with the final checkpoint written at a clean close"
            + " (for closed or rotated files); otherwise an unsigned tail is only a warning.")
    boolean requireFinalCheckpoint;

    @Option(names = "--json", description = "Print the result as one JSON object on stdout.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      AuditVerifier.Result r;
      try {
        PublicKey key = AuditKeys.readPublicKey(publicKey);
        if (!Files.isRegularFile(file)) {
          err.println(file + ": no such file");
          err.flush();
          return USAGE;
        }
        r = AuditVerifier.verify(file, key, requireFinalCheckpoint);
      } catch (IOException | RuntimeException e) {
        err.println("warden audit verify: " + e.getMessage());
        err.flush();
        return USAGE;
      }
      if (json) {
        out.println(toJson(r));
      } else {
        for (AuditVerifier.Warning w : r.warnings()) {
          err.println(location(w.line()) + ": warning: " + w.message());
        }
        if (r.ok()) {
          out.println(file + ": OK: " + r.records() + " records, " + r.checkpoints()
              + " checkpoints, " + r.lines() + " lines, replica " + r.replicaId()
              + (r.finalCheckpoint() ? ", closed cleanly" : ""));
        } else {
          err.println(location(r.badLine()) + ": " + r.reason());
        }
      }
      out.flush();
      err.flush();
      return r.ok() ? OK : TAMPERED;
    }

    private String location(long line) {
      return line > 0 ? file + ":" + line : file.toString();
    }

    private String toJson(AuditVerifier.Result r) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode o = m.createObjectNode();
      o.put("file", file.toString());
      o.put("ok", r.ok());
      o.put("lines", r.lines());
      o.put("records", r.records());
      o.put("checkpoints", r.checkpoints());
      o.put("droppedEvents", r.droppedEvents());
      o.put("replicaId", r.replicaId());
      o.put("finalCheckpoint", r.finalCheckpoint());
      if (!r.ok()) {
        o.put("line", r.badLine());
        o.put("problem", r.problem().name());
        o.put("reason", r.reason());
      }
      ArrayNode ws = o.putArray("warnings");
      for (AuditVerifier.Warning w : r.warnings()) {
        ws.addObject().put("line", w.line()).put("message", w.message());
      }
      return o.toString();
    }
  }

  /** {@code warden audit keygen --out-private PEM --out-public PEM}. */
  @Command(
      name = "keygen",
      description = {
        "Create an Ed25519 key pair for signing audit checkpoints.",
        "The private key file is created with owner-only permissions (0600); existing files are"
            + " never overwritten."
      },
      mixinStandardHelpOptions = true)
  public static final class Keygen implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out-private", required = true, paramLabel = "PEM",
        description = "Where to write the private key (PKCS#8 PEM).")
    Path outPrivate;

    @Option(names = "--out-public", required = true, paramLabel = "PEM",
        description = "Where to write the public key (X.509 PEM).")
    Path outPublic;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        if (outPrivate.toAbsolutePath().normalize().equals(outPublic.toAbsolutePath().normalize())) {
          err.println("warden audit keygen: --out-private and --out-public must be different files");
          return USAGE;
        }
        for (Path p : new Path[] {outPrivate, outPublic}) {
          if (Files.exists(p)) {
            err.println("warden audit keygen: " + p + " already exists; refusing to overwrite");
            return USAGE;
          }
        }
        KeyPair kp = AuditKeys.generate();
        AuditKeys.writePrivateKey(outPrivate, kp.getPrivate());
        try {
          AuditKeys.writePublicKey(outPublic, kp.getPublic());
        } catch (IOException e) {
          Files.deleteIfExists(outPrivate); // no half-made pair left behind
          throw e;
        }
        out.println("wrote " + outPrivate + " (private, 0600) and " + outPublic
            + " (public); keyId " + AuditKeys.keyId(kp.getPublic()));
        return OK;
      } catch (IOException | RuntimeException e) {
        err.println("warden audit keygen: " + e);
        return USAGE;
      } finally {
        out.flush();
        err.flush();
      }
    }
  }
}
