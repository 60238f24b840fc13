package dev.warden.gateway.cli;

import picocli.CommandLine;

/**
 * Subcommands implemented in the library modules (model signing, federated client), registered in one
 * place. Each is a picocli command class with no dependency on the gateway.
 */
final class Extensions {
  private Extensions() {}

  static void register(CommandLine cl) {
    cl.addSubcommand(new dev.warden.verifier.cli.SignCommand());
    cl.addSubcommand(new dev.warden.verifier.cli.VerifyCommand());
    cl.addSubcommand(new dev.warden.verifier.cli.DigestCommand());
    cl.addSubcommand(new dev.warden.verifier.cli.KeygenCommand());
    cl.addSubcommand(new dev.warden.crypto.secagg.cli.FlClientCommand());
  }
}
