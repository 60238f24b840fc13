package dev.warden.gateway.screening;

import java.util.Locale;

/**
 * What the gateway does when a screen flags an input, strongest first. {@code silent} and
 * {@code throttle} exist because explicit refusals are exactly the signal adaptive attacks optimise
 * against (e.g. OARS, CCS 2023): an attacker who is answered with an earlier answer, or slowed down,
 * learns less than one who is told "rejected".
 */
enum ScreenAction {
  /** 403 {@code input_rejected}. */
  BLOCK,
  /** 429 for a growing back-off window on this tenant and route. */
  THROTTLE,
  /** Answer with this tenant's previous answer on the route; raise the alarm out of band. */
  SILENT,
  /** Serve and record. */
  AUDIT;

  static ScreenAction parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
