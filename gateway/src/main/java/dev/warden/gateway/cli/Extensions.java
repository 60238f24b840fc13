package dev.warden.gateway.cli;

import picocli.CommandLine;

/** Subcommands that live in the library modules (sign/verify, fl-client, ...), registered in one place. */
final class Extensions {
  private Extensions() {}

  static void register(CommandLine cl) {
    // Library commands are added here as their modules provide them.
  }
}
