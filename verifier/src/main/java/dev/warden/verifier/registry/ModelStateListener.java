package dev.warden.verifier.registry;

/**
 * Told when a model's {@link ModelState} changes (and when a model is added or removed). Called on the
 * registry's single check thread after the new status is published: keep it short, never block, never
 * call back into the registry synchronously.
 */
@FunctionalInterface
public interface ModelStateListener {
  /**
   * @param previous the former status, or null when the model was just added
   * @param current the new status, or null when the model was removed
   */
  void onStateChange(ModelStatus previous, ModelStatus current);
}
