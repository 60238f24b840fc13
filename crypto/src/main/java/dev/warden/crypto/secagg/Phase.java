package dev.warden.crypto.secagg;

/** The client-to-server phases of a round, in order. The code is bound into every signed message. */
public enum Phase {
  ADVERTISE_KEYS(1),
  SHARE_KEYS(2),
  MASKED_INPUT(3),
  CONSISTENCY_CHECK(4),
  UNMASK(5);

  private final int code;

  Phase(int code) {
    this.code = code;
  }

  int code() {
    return code;
  }

  static Phase ofCode(int code) {
    for (Phase p : values()) if (p.code == code) return p;
    throw SecAggException.malformed("unknown phase code " + code);
  }
}
