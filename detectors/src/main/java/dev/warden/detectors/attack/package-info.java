/**
 * Attack clients for tests and the evaluation harness (not used on the request path):
 * {@link dev.warden.detectors.attack.SquareAttack} (score-based, L-infinity) against any
 * {@link dev.warden.detectors.attack.ScoreOracle} (in-process model or HTTP client).
 */
package dev.warden.detectors.attack;
