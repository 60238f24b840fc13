package dev.warden.gateway.cli;

import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.runtime.RuntimeCompiler;

/** A compiler with the standard stages, for validating policies without starting anything. */
final class CheckOnly {
  private CheckOnly() {}

  static RuntimeCompiler compiler() {
    return StandardCapabilities.checker();
  }
}
