package dev.warden.detectors.text;

import java.util.EnumMap;
import java.util.Map;

/**
 * Finds characters a reader does not see but a model does: Unicode tag characters
 * (U+E0000–E007F, "ASCII smuggling"), variation selectors (U+FE00–FE0F, U+E0100–E01EF, "emoji
 * smuggling" encodes one byte per selector), zero-width characters, bidirectional controls
 * ("Trojan Source"), other format characters, private-use and unassigned code points, and control
 * characters other than tab / line feed / carriage return.
 *
 * <p>Legitimate uses are not counted: a zero-width joiner between two emoji, one variation
 * selector after an emoji or a CJK ideograph, and a tag sequence that spells a subdivision flag
 * (U+1F3F4 followed by tags and U+E007F). Everything else is counted, and the payload hidden in tag
 * characters and in variation selectors is decoded ({@link Findings#hiddenText()}) so the
 * injection classifier can read what the model would read.
 *
 * <p>Linear in the text length; stateless and thread-safe.
 */
public final class InvisibleCharScanner {
  /** Kinds of invisible character. */
  public enum Kind { TAG, VARIATION_SELECTOR, ZERO_WIDTH, BIDI_CONTROL, OTHER_FORMAT, PRIVATE_USE, UNASSIGNED, CONTROL }

  /**
   * What a scan found.
   *
   * @param counts suspicious code points per kind
   * @param total their sum
   * @param firstOffset char offset of the first one, or -1
   * @param hiddenText text decoded from tag characters and variation selectors (may be empty)
   */
  public record Findings(Map<Kind, Integer> counts, int total, int firstOffset, String hiddenText) {
    /** Whether nothing suspicious was found. */
    public boolean clean() { return total == 0; }

    /** e.g. "3 TAG, 1 ZERO_WIDTH" (no text content). */
    public String summary() {
      StringBuilder sb = new StringBuilder();
      counts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
      return sb.length() == 0 ? "none" : sb.toString();
    }
  }

  /** Scans {@code text}. */
  public Findings scan(String text) {
    EnumMap<Kind, Integer> counts = new EnumMap<>(Kind.class);
    StringBuilder hidden = new StringBuilder();
    int total = 0;
    int first = -1;
    int prev = -1;        // previous code point
    boolean inFlagTagSeq = false;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      int next = i + len < text.length() ? text.codePointAt(i + len) : -1;
      Kind kind = classify(cp);
      boolean benign = false;
      if (kind == Kind.TAG) {
        if (prev == 0x1F3F4) inFlagTagSeq = true;
        benign = inFlagTagSeq && (isTagLowerAlnum(cp) || cp == 0xE007F);
        if (cp == 0xE007F) inFlagTagSeq = false;
        if (!benign && cp >= 0xE0020 && cp <= 0xE007E) hidden.append((char) (cp - 0xE0000));
      } else {
        inFlagTagSeq = false;
        if (kind == Kind.ZERO_WIDTH && cp == 0x200D) {
          benign = isEmoji(prev) && isEmoji(next);
        } else if (kind == Kind.VARIATION_SELECTOR) {
          benign = !isVariationSelector(prev) && !isVariationSelector(next)
              && ((cp <= 0xFE0F && (isEmoji(prev) || prev < 0x3000 && prev > 0x20)) || (cp >= 0xE0100 && isCjk(prev)));
          if (!benign) {
            int b = variationSelectorByte(cp);
            if (b >= 0x20 && b < 0x7F) hidden.append((char) b);
          }
        }
      }
      if (kind != null && !benign) {
        counts.merge(kind, 1, Integer::sum);
        total++;
        if (first < 0) first = i;
      }
      prev = cp;
      i += len;
    }
    return new Findings(Map.copyOf(counts), total, first, hidden.toString());
  }

  static Kind classify(int cp) {
    if (cp >= 0xE0000 && cp <= 0xE007F) return Kind.TAG;
    if (isVariationSelector(cp)) return Kind.VARIATION_SELECTOR;
    switch (cp) {
      case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E -> { return Kind.ZERO_WIDTH; }
      case 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C -> {
        return Kind.BIDI_CONTROL;
      }
      case '\t', '\n', '\r' -> { return null; }
      default -> { }
    }
    int type = Character.getType(cp);
    return switch (type) {
      case Character.FORMAT -> Kind.OTHER_FORMAT;
      case Character.PRIVATE_USE -> Kind.PRIVATE_USE;
      case Character.UNASSIGNED -> Kind.UNASSIGNED;
      case Character.CONTROL -> Kind.CONTROL;
      case Character.SURROGATE -> Kind.UNASSIGNED; // lone surrogate
      default -> null;
    };
  }

  static boolean isVariationSelector(int cp) {
    return (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF);
  }

  /** The byte an "emoji smuggling" encoder maps to this selector (VS1–16 → 0–15, VS17–256 → 16–255). */
  static int variationSelectorByte(int cp) {
    if (cp >= 0xFE00 && cp <= 0xFE0F) return cp - 0xFE00;
    if (cp >= 0xE0100 && cp <= 0xE01EF) return cp - 0xE0100 + 16;
    return -1;
  }

  private static boolean isTagLowerAlnum(int cp) {
    int c = cp - 0xE0000;
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  /** Approximate Extended_Pictographic (Java 17 has no emoji property). */
  static boolean isEmoji(int cp) {
    return (cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2B00 && cp <= 0x2BFF)
        || cp == 0x00A9 || cp == 0x00AE || (cp >= 0x2190 && cp <= 0x21FF) || (cp >= 0x2300 && cp <= 0x23FF);
  }

  private static boolean isCjk(int cp) {
    return Character.isIdeographic(cp);
  }
}
