package dev.warden.gateway.cli;

/** Placeholder replaced by the real CLI. */
public final class WardenCli {
  public static void main(String[] args) {}
}
