package dev.warden.policies;

/** Whether a rule refuses (enforce, the default) or only records what it would have refused (audit). */
public enum Mode {
  ENFORCE,
  AUDIT;

  static Mode parse(String s) {
    return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
