/**
 * Attack clients for tests and the evaluation harness (not used on the request path):
 * {@link dev.warden.detectors.attack.SquareAttack} and {@link dev.warden.detectors.attack.NesAttack} (score-based, L-infinity)
 * and {@link dev.warden.detectors.attack.HopSkipJumpAttack} (decision-based, L2) against any
 * {@link dev.warden.detectors.attack.ScoreOracle} (in-process model or HTTP client).
 */
package dev.warden.detectors.attack;
