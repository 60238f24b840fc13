package dev.warden.gateway.cli;

import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = WardenCli.class.getPackage().getImplementationVersion();
    return new String[] {"warden " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
  }
}
