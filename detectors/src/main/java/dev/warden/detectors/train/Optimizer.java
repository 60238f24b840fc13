package dev.warden.detectors.train;

/** Parameter update rule. */
public enum Optimizer {
  /** Plain mini-batch stochastic gradient descent. */
  SGD,
  /** Adam (Kingma and Ba 2015) with beta1 0.9, beta2 0.999, epsilon 1e-8. */
  ADAM
}
