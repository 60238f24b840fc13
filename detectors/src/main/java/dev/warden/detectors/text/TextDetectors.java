package dev.warden.detectors.text;

import dev.warden.detectors.query.QueryStore;
import dev.warden.detectors.query.ShingleFingerprinter;
import dev.warden.detectors.screen.Detection;
import dev.warden.detectors.screen.Detector;
import dev.warden.detectors.screen.ScreenInput;
import java.text.Normalizer;
import java.util.Objects;

/** The text screens for the OpenAI chat endpoint, as {@link Detector}s. */
public final class TextDetectors {
  private TextDetectors() {}

  /** Score = number of suspicious invisible characters; default threshold 1 (any). Cacheable. */
  public static Detector invisibleChars() {
    InvisibleCharScanner scanner = new InvisibleCharScanner();
    return new Detector() {
      @Override public String name() { return "invisible-chars"; }
      @Override public double defaultThreshold() { return 1; }
      @Override public boolean cacheable() { return true; }
      @Override public boolean accepts(ScreenInput in) { return in.hasText(); }
      @Override public Detection detect(ScreenInput in, double threshold) {
        InvisibleCharScanner.Findings f = scanner.scan(in.text());
        return Detection.scored(f.total(), threshold, f.clean() ? "no invisible characters"
            : f.summary() + (f.hiddenText().isEmpty() ? "" : "; hidden payload of " + f.hiddenText().length() + " chars"));
      }
    };
  }

  /**
   * Score = the classifier's largest chunk probability over the NFKC-normalised visible text and
   * the payload decoded from tag characters / variation selectors; default threshold 0.5. Cacheable.
   */
  public static Detector promptInjection(PromptInjectionClassifier classifier) {
    Objects.requireNonNull(classifier, "classifier");
    InvisibleCharScanner scanner = new InvisibleCharScanner();
    return new Detector() {
      @Override public String name() { return "prompt-injection"; }
      @Override public double defaultThreshold() { return 0.5; }
      @Override public boolean cacheable() { return true; }
      @Override public boolean accepts(ScreenInput in) { return in.hasText(); }
      @Override public Detection detect(ScreenInput in, double threshold) throws Exception {
        String visible = Normalizer.normalize(in.text(), Normalizer.Form.NFKC);
        float s = classifier.score(visible);
        String hidden = scanner.scan(in.text()).hiddenText();
        String where = "visible text";
        if (!hidden.isEmpty()) {
          float h = classifier.score(hidden);
          if (h > s) {
            s = h;
            where = "hidden (smuggled) text";
          }
        }
        return Detection.scored(s, threshold, String.format(java.util.Locale.ROOT, "injection probability %.3f in %s", s, where));
      }
    };
  }

  /**
   * Near-duplicate prompts across all tenants: score = shared shingle hashes / the prompt's
   * fingerprint length; flags at the threshold (default 0.6) when the prompt has at least
   * {@code minShingles} shingles. Stateful: never cached.
   */
  public static Detector nearDuplicate(ShingleFingerprinter fingerprinter, QueryStore store, int minShingles) {
    Objects.requireNonNull(fingerprinter, "fingerprinter");
    Objects.requireNonNull(store, "store");
    return new Detector() {
      @Override public String name() { return "near-duplicate"; }
      @Override public double defaultThreshold() { return 0.6; }
      @Override public boolean cacheable() { return false; }
      @Override public boolean accepts(ScreenInput in) { return in.hasText(); }
      @Override public Detection detect(ScreenInput in, double threshold) {
        long[] fp = fingerprinter.fingerprint(in.text());
        if (fp.length < minShingles) return new Detection(0, false, "too short for near-duplicate screening");
        int t = Math.max(1, (int) Math.ceil(threshold * fp.length - 1e-9));
        QueryStore.Match m = store.checkAndAdd(in.tenant(), fp, t);
        double score = (double) m.sharedHashes() / fp.length;
        return new Detection(score, m.flagged(), m.sharedHashes() == 0 ? "no similar earlier prompt"
            : "shares " + m.sharedHashes() + "/" + fp.length + " shingles with a prompt " + m.matchAgeMillis() + " ms old"
                + (m.crossTenant() ? " from another tenant" : ""));
      }
    };
  }
}
