package dev.warden.detectors.screen;

/**
 * What a {@link Detector} found: a score, whether it reaches the threshold, and why.
 *
 * @param score higher = more suspicious
 * @param flagged whether the score reached the threshold given to the detector
 * @param reason short cause without request data (e.g. "shares 41/50 hashes with a query 3 s old")
 */
public record Detection(double score, boolean flagged, String reason) {
  /** A detection flagged iff {@code score >= threshold}. */
  public static Detection scored(double score, double threshold, String reason) {
    return new Detection(score, score >= threshold, reason);
  }
}
