package dev.warden.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code warden} command. Exit codes follow the project contract: 0 success, 1 the check failed
 * (the message says why), 2 usage error.
 */
@Command(
    name = "warden",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Warden: a model-supply-chain security gateway for ML model servers.",
    subcommands = {
        ServeCommand.class,
        PolicyCommand.class,
        DemoCommand.class,
        HeBackendCommand.class,
        ApiKeyCommand.class,
        DpCommand.class,
        dev.warden.gateway.audit.AuditCommand.class,
        CommandLine.HelpCommand.class
    })
public final class WardenCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** The configured command line (subcommands registered), for tests and the launcher. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new WardenCli());
    Extensions.register(cl);
    cl.setExecutionExceptionHandler((ex, line, parse) -> {
      line.getErr().println(line.getColorScheme().errorText("error: " + ex.getMessage()));
      return 1;
    });
    return cl;
  }

  public static void main(String[] args) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    System.exit(commandLine().execute(args));
  }
}
