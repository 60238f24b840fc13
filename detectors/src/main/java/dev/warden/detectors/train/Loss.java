package dev.warden.detectors.train;

/** Training loss. */
public enum Loss {
  /** Cross-entropy of a softmax output against one-hot (or soft) targets; needs a SOFTMAX last layer. */
  SOFTMAX_CROSS_ENTROPY,
  /** Mean squared error averaged over the outputs and the batch; any last activation but SOFTMAX. */
  MSE
}
