package dev.warden.crypto.he.rlwe;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The public evaluation keys a compute party needs: an optional relinearisation key and Galois keys for
 * exactly the chosen rotations (and conjugation). Immutable; thread-safe.
 */
public final class EvaluationKeys {
  private final Parameters params;
  private final SwitchingKey relin;
  private final Map<Long, SwitchingKey> galois;

  public EvaluationKeys(Parameters params, SwitchingKey relin, Map<Long, SwitchingKey> galois) {
    this.params = params;
    this.relin = relin;
    TreeMap<Long, SwitchingKey> m = new TreeMap<>(galois);
    for (Map.Entry<Long, SwitchingKey> e : m.entrySet()) {
      if (e.getValue().galoisElement() != e.getKey() || !e.getValue().parameters().equals(params)) {
        throw new IllegalArgumentException("Galois key mismatch for element " + e.getKey());
      }
    }
    if (relin != null && (relin.galoisElement() != 0 || !relin.parameters().equals(params))) {
      throw new IllegalArgumentException("not a relinearisation key for these parameters");
    }
    this.galois = Collections.unmodifiableMap(m);
  }

  public Parameters parameters() {
    return params;
  }

  /** @throws IllegalStateException if no relinearisation key was generated */
  public SwitchingKey relinKey() {
    if (relin == null) {
      throw new IllegalStateException("no relinearisation key in this key set");
    }
    return relin;
  }

  public boolean hasRelinKey() {
    return relin != null;
  }

  /** @throws IllegalStateException naming the missing element */
  public SwitchingKey galoisKey(long galoisElement) {
    SwitchingKey k = galois.get(galoisElement);
    if (k == null) {
      throw new IllegalStateException("no Galois key for element " + galoisElement
          + " (generate keys for every rotation step the circuit uses)");
    }
    return k;
  }

  public Map<Long, SwitchingKey> galoisKeys() {
    return galois;
  }
}
