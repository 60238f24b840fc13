package dev.warden.crypto.secagg.cli;

import dev.warden.crypto.secagg.AggregateResult;
import dev.warden.crypto.secagg.FlHttpClient;
import dev.warden.crypto.secagg.RoundConfig;
import dev.warden.crypto.secagg.SecAggException;
import dev.warden.crypto.secagg.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden fl-client}: what an organisation runs to take part in a federated round. Thin over
 * {@link FlHttpClient}. Exit codes: 0 success, 1 the round or a check failed (message says why), 2 usage.
 */
@Command(name = "fl-client", mixinStandardHelpOptions = true,
    description = "Take part in a secure-aggregation (SecAgg+) federated round.",
    subcommands = {FlClientCommand.Keygen.class, FlClientCommand.Join.class, FlClientCommand.Verify.class})
public final class FlClientCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Entry point for running the command alone. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new FlClientCommand()).execute(args));
  }

  static SigningKey readKey(Path p) throws IOException {
    byte[] raw = Base64.getDecoder().decode(Files.readString(p, StandardCharsets.US_ASCII).trim());
    try {
      return SigningKey.fromPrivateKeyBytes(raw);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }

  /** Reads a little-endian float32 file. */
  static float[] readFloat32(Path p) throws IOException {
    byte[] b = Files.readAllBytes(p);
    if (b.length == 0 || b.length % 4 != 0) throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, p + " is not a float32 vector (" + b.length + " bytes)");
    float[] f = new float[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }

  static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Command(name = "keygen", mixinStandardHelpOptions = true, description = "Create an Ed25519 enrolment key; prints the public key to enrol.")
  static final class Keygen implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, description = "private key file to create (public key goes to FILE.pub)")
    Path out;

    @Override
    public Integer call() throws IOException {
      if (Files.exists(out)) {
        spec.commandLine().getErr().println("error: " + out + " exists; refusing to overwrite a key");
        return 2;
      }
      SigningKey k = SigningKey.generate(new SecureRandom());
      byte[] sk = k.exportPrivateKeyInsecure();
      try {
        Files.createFile(out);
        try {
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // non-POSIX file system
        }
        Files.writeString(out, Base64.getEncoder().encodeToString(sk) + "\n", StandardCharsets.US_ASCII);
      } finally {
        Arrays.fill(sk, (byte) 0);
      }
      String pub = Base64.getEncoder().encodeToString(k.publicKey());
      Files.writeString(Path.of(out + ".pub"), pub + "\n", StandardCharsets.US_ASCII);
      PrintWriter o = spec.commandLine().getOut();
      o.println("{\"publicKey\":" + json(pub) + ",\"fingerprint\":" + json(SigningKey.fingerprint(k.publicKey())) + ",\"privateKeyFile\":" + json(out.toString()) + "}");
      o.flush();
      return 0;
    }
  }

  @Command(name = "join", mixinStandardHelpOptions = true, description = "Join a round and submit an update (float32 little-endian file).")
  static final class Join implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", required = true, description = "gateway base URL") URI url;
    @Option(names = "--round", required = true, description = "round id") String round;
    @Option(names = "--name", required = true, description = "this organisation's enrolled member name") String name;
    @Option(names = "--key", required = true, description = "private key file from 'keygen'") Path key;
    @Option(names = "--update", required = true, description = "update as little-endian float32") Path update;
    @Option(names = "--weight", defaultValue = "1.0", description = "weight in [0,1] for weighted rounds (default 1)") double weight;
    @Option(names = "--token", description = "bearer token for the gateway (or env WARDEN_API_KEY)") String token;
    @Option(names = "--result-out", description = "also fetch the aggregate (if allowed) and write its bytes here") Path resultOut;
    @Option(names = "--poll-ms", defaultValue = "500", description = "poll interval in ms") long pollMs;
    @Option(names = "--timeout-s", defaultValue = "1800", description = "give up after this many seconds") long timeoutS;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String bearer = token != null ? token : System.getenv("WARDEN_API_KEY");
      FlHttpClient client = new FlHttpClient(url, bearer, HttpClient.newHttpClient(), Duration.ofMillis(pollMs), Duration.ofSeconds(timeoutS), new SecureRandom());
      try {
        FlHttpClient.Outcome o = client.participate(round, name, readKey(key), readFloat32(update), weight, resultOut != null);
        if (resultOut != null && o.result().isPresent()) Files.write(resultOut, o.result().get().toBytes());
        out.println("{\"round\":" + json(round) + ",\"client\":" + o.index() + ",\"state\":" + json(o.finalState())
            + ",\"bytesSent\":" + o.bytesSent() + ",\"bytesReceived\":" + o.bytesReceived()
            + ",\"contextHash\":" + json(Base64.getUrlEncoder().withoutPadding().encodeToString(o.config().contextHash())) + "}");
        out.flush();
        return 0;
      } catch (SecAggException e) {
        err.println("error (" + e.code() + "): " + e.getMessage());
        err.flush();
        return e.code() == SecAggException.Code.INVALID_ARGUMENT ? 2 : 1;
      }
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check that an aggregate belongs to the round you joined; print its mean.")
  static final class Verify implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--round", required = true, description = "the round id you joined") String round;
    @Option(names = "--result", required = true, description = "aggregate bytes (from join --result-out or GET .../result)") Path result;
    @Option(names = "--url", description = "gateway base URL to fetch the round config from") URI url;
    @Option(names = "--config", description = "round config bytes instead of --url") Path config;
    @Option(names = "--token", description = "bearer token (or env WARDEN_API_KEY)") String token;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if ((url == null) == (config == null)) {
        err.println("error: give exactly one of --url or --config");
        err.flush();
        return 2;
      }
      try {
        RoundConfig cfg = config != null ? RoundConfig.parse(Files.readAllBytes(config))
            : new FlHttpClient(url, token != null ? token : System.getenv("WARDEN_API_KEY"), HttpClient.newHttpClient(), Duration.ofSeconds(1), Duration.ofSeconds(30), new SecureRandom()).fetchConfig(round);
        if (!cfg.roundId().equals(round)) throw new SecAggException(SecAggException.Code.WRONG_ROUND, "config is for round " + cfg.roundId() + ", not " + round);
        AggregateResult r = AggregateResult.parse(Files.readAllBytes(result), cfg);
        StringBuilder b = new StringBuilder("{\"round\":" + json(round) + ",\"verified\":true,\"survivors\":" + r.survivors().length);
        if (cfg.encoding().isPresent()) {
          double[] mean = r.decodeMean(cfg.encoding().get());
          b.append(",\"mean\":").append(Arrays.toString(Arrays.copyOf(mean, Math.min(mean.length, 16)))).append(mean.length > 16 ? ",\"meanTruncated\":true" : "");
        }
        out.println(b.append('}'));
        out.flush();
        return 0;
      } catch (SecAggException e) {
        err.println("error (" + e.code() + "): " + e.getMessage());
        err.flush();
        return 1;
      }
    }
  }
}
