package dev.warden.detectors.screen;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named detector instances a route's screens refer to (e.g. "query-store", "autoencoder",
 * "invisible-chars", "prompt-injection", "near-duplicate", or any operator-loaded ONNX classifier).
 * Filled once at start-up (and on reload); passed explicitly, not global. Thread-safe.
 */
public final class DetectorRegistry {
  private final Map<String, Detector> detectors = new ConcurrentHashMap<>();

  /** Registers {@code detector} under {@code name}, replacing any earlier one. */
  public DetectorRegistry register(String name, Detector detector) {
    detectors.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(detector, "detector"));
    return this;
  }

  /**
   * The detector named {@code name}.
   *
   * @throws IllegalArgumentException if none is registered (names the known ones)
   */
  public Detector get(String name) {
    Detector d = detectors.get(name);
    if (d == null) throw new IllegalArgumentException("unknown screen '" + name + "'; registered: " + new java.util.TreeSet<>(detectors.keySet()));
    return d;
  }

  /** The registered names. */
  public Set<String> names() { return Set.copyOf(detectors.keySet()); }
}
