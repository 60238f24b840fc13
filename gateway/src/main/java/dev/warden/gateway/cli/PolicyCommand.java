package dev.warden.gateway.cli;

import dev.warden.gateway.runtime.RuntimeCompiler;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.PolicyException;
import dev.warden.policies.PolicyLoader;
import dev.warden.policies.PolicyProblem;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "policy", mixinStandardHelpOptions = true, description = "Work with policy files.",
    subcommands = PolicyCommand.Check.class)
final class PolicyCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (check)");
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Validate policy files: syntax, schema, references and stage settings, and the signatures "
          + "of operator detector models whose files are here. Prints every problem as file:line:col: message; "
          + "exit 1 if any.")
  static final class Check implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy files or directories.")
    List<Path> files;

    @Option(names = "--check-files",
        description = "Also check that referenced files (API-key hashes, keys) exist and parse, as serve does.")
    boolean checkFiles;

    @Override
    public Integer call() {
      PolicyLoader loader = PolicyLoader.forChecking().withFileChecks(checkFiles);
      RuntimeCompiler compiler = CheckOnly.compiler();
      boolean ok = true;
      for (Path f : files) {
        try {
          GatewayPolicy p = loader.load(f);
          List<PolicyProblem> problems = compiler.check(p, checkFiles);
          if (!problems.isEmpty()) {
            problems.forEach(pr -> System.err.println(pr));
            ok = false;
          } else {
            System.out.println(f + ": OK (policy " + p.name() + ", " + p.routes().size() + " routes)");
          }
        } catch (PolicyException e) {
          e.problems().forEach(pr -> System.err.println(pr));
          ok = false;
        }
      }
      return ok ? 0 : 1;
    }
  }
}
