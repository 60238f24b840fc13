package dev.warden.crypto.secagg;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Canonical byte encodings of every message (big-endian integers, length-prefixed byte strings, lists
 * sorted by client index, no trailing bytes: one value has exactly one encoding).
 *
 * <pre>
 * signed message  = "WSAM" ‖ u8 version=1 ‖ u8 phase ‖ ctxHash[32] ‖ u32 sender ‖ u32 recipient ‖ u32 len ‖ body ‖ sig[64]
 *   sig = Ed25519(sender's enrolled key, "warden-secagg-v1/signed-message\0" ‖ everything before sig)
 *   recipient 0 = the server
 * ADVERTISE_KEYS body    = cPk[32] ‖ sPk[32]
 * SHARE_KEYS body        = u32 count ‖ (u32 to ‖ u32 len ‖ sealed)*          sealed = nonce[12] ‖ AES-GCM ct ‖ tag[16]
 *   share plaintext      = u32 from ‖ u32 to ‖ selfMaskSeedShare[40] ‖ maskKeyShare[40]
 *   share AAD            = "warden-secagg-v1/share\0" ‖ ctxHash ‖ u32 from ‖ u32 to
 * MASKED_INPUT body      = vectorLength × little-endian ring words (4 or 8 bytes)
 * CONSISTENCY_CHECK body = u32 count ‖ u32 survivor*  (the set U3 the server announced)
 * UNMASK body            = u32 count ‖ (u32 owner ‖ u8 kind ‖ share[40])*  kind 1 = self-mask seed, 2 = mask key
 *
 * server response = "WSAR" ‖ u8 version=1 ‖ u8 kind ‖ ctxHash[32] ‖ u32 recipient (0 = everyone) ‖ payload
 *   kind 11 advertisements: u32 count ‖ (u32 len ‖ signed ADVERTISE_KEYS)*
 *   kind 12 shares:         u32 count ‖ (u32 from ‖ u32 len ‖ sealed)*
 *   kind 14 consistency:    u32 count ‖ u32 survivor*
 *   kind 15 unmask:         u32 count ‖ u32 survivor* ‖ u32 count ‖ (u32 len ‖ signed CONSISTENCY_CHECK)*
 *   kind 16 aggregate:      u16 len ‖ roundId ‖ u8 ringBits ‖ u32 count ‖ u32 survivor* ‖ u32 len ‖ ring words
 * </pre>
 */
final class Messages {
  private Messages() {}

  static final byte[] SIGNED_MAGIC = {'W', 'S', 'A', 'M'};
  static final byte[] RESPONSE_MAGIC = {'W', 'S', 'A', 'R'};
  static final int VERSION = 1;
  static final byte[] SIGNATURE_DOMAIN = "warden-secagg-v1/signed-message\0".getBytes(StandardCharsets.US_ASCII);
  static final byte[] SHARE_AAD_DOMAIN = "warden-secagg-v1/share\0".getBytes(StandardCharsets.US_ASCII);
  static final int SERVER = 0;
  static final int KIND_SELF_MASK_SEED = 1;
  static final int KIND_MASK_KEY = 2;
  static final int RESP_ADVERTISEMENTS = 11;
  static final int RESP_SHARES = 12;
  static final int RESP_CONSISTENCY = 14;
  static final int RESP_UNMASK = 15;
  static final int RESP_AGGREGATE = 16;
  static final int MAX_SEALED = 256;

  /** A parsed, signature-checked message. */
  record Signed(Phase phase, int sender, int recipient, byte[] body, byte[] encoded) {}

  static byte[] seal(SigningKey key, Phase phase, byte[] ctx, int sender, int recipient, byte[] body) {
    byte[] unsigned = new ByteWriter(body.length + 64).raw(SIGNED_MAGIC).u8(VERSION).u8(phase.code()).fixed(ctx, 32)
        .u32(sender).u32(recipient).bytes(body).toByteArray();
    byte[] sig = key.sign(concat(SIGNATURE_DOMAIN, unsigned));
    return concat(unsigned, sig);
  }

  /**
   * Parses and authenticates {@code bytes} as a message of {@code phase} to {@code recipient} in the round
   * {@code cfg}: refuses other rounds (replays), unenrolled senders, bad signatures and wrong phases.
   */
  static Signed open(byte[] bytes, RoundConfig cfg, Phase phase, int recipient) {
    String what = phase + " message";
    if (bytes == null || bytes.length < 4 + 2 + 32 + 12 + SigningKey.SIGNATURE_BYTES) throw SecAggException.malformed(what + ": too short");
    int sigOff = bytes.length - SigningKey.SIGNATURE_BYTES;
    ByteReader r = new ByteReader(bytes, 0, sigOff, what);
    if (!Primitives.ctEquals(r.fixed(4), SIGNED_MAGIC)) throw SecAggException.malformed(what + ": not a signed secure-aggregation message");
    if (r.u8() != VERSION) throw SecAggException.malformed(what + ": unsupported version");
    int phaseCode = r.u8();
    byte[] ctx = r.fixed(32);
    int sender = r.u32();
    int to = r.u32();
    byte[] body = r.bytes(Integer.MAX_VALUE);
    r.end();
    if (!Primitives.ctEquals(ctx, cfg.contextHashUnsafe())) {
      throw new SecAggException(SecAggException.Code.WRONG_ROUND, what + " is bound to another round (context hash mismatch): refused as a possible replay");
    }
    if (sender < 1 || sender > cfg.cohortSize()) {
      throw new SecAggException(SecAggException.Code.NOT_ENROLLED, what + " claims sender " + Integer.toUnsignedString(sender) + ", not enrolled in round " + cfg.roundId());
    }
    byte[] sig = Arrays.copyOfRange(bytes, sigOff, bytes.length);
    if (!SigningKey.verify(cfg.member(sender).publicKeyUnsafe(), SIGNATURE_DOMAIN, bytes, 0, sigOff, sig)) {
      throw new SecAggException(SecAggException.Code.BAD_SIGNATURE, what + " from client " + sender + " (" + cfg.member(sender).name()
          + ") does not carry a valid signature by its enrolled key");
    }
    Phase actual = Phase.ofCode(phaseCode);
    if (actual != phase) throw new SecAggException(SecAggException.Code.WRONG_PHASE, "expected a " + phase + " message, got " + actual);
    if (to != recipient) throw new SecAggException(SecAggException.Code.WRONG_ROUND, what + " is addressed to " + to + ", not " + recipient);
    return new Signed(actual, sender, to, body, bytes);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  // ---- bodies ------------------------------------------------------------------------------------------

  record Advert(byte[] cPk, byte[] sPk) {
    byte[] encode() {
      return new ByteWriter(64).fixed(cPk, 32).fixed(sPk, 32).toByteArray();
    }

    static Advert parse(byte[] body) {
      ByteReader r = new ByteReader(body, "ADVERTISE_KEYS body");
      Advert a = new Advert(r.fixed(32), r.fixed(32));
      r.end();
      if (Primitives.ctEquals(a.cPk, a.sPk)) throw new SecAggException(SecAggException.Code.PROTOCOL_VIOLATION, "advertised encryption and masking keys must differ");
      return a;
    }
  }

  record Addressed(int peer, byte[] data) {}

  /** A list of (client index, byte string), strictly increasing by index. */
  static byte[] encodeAddressed(List<Addressed> items) {
    ByteWriter w = new ByteWriter(16 + items.size() * 140).u32(items.size());
    for (Addressed a : items) w.u32(a.peer()).bytes(a.data());
    return w.toByteArray();
  }

  static List<Addressed> parseAddressed(ByteReader r, int maxIndex, int maxLen) {
    int n = r.u32(0, maxIndex, "count");
    List<Addressed> out = new ArrayList<>(n);
    int prev = 0;
    for (int i = 0; i < n; i++) {
      int peer = r.u32(1, maxIndex, "client index");
      if (peer <= prev) throw SecAggException.malformed("client indices must be strictly increasing");
      prev = peer;
      out.add(new Addressed(peer, r.bytes(maxLen)));
    }
    return out;
  }

  static byte[] encodeIndices(int[] xs) {
    ByteWriter w = new ByteWriter(4 + 4 * xs.length).u32(xs.length);
    for (int x : xs) w.u32(x);
    return w.toByteArray();
  }

  static int[] parseIndices(ByteReader r, int maxIndex) {
    int n = r.u32(0, maxIndex, "count");
    int[] out = new int[n];
    int prev = 0;
    for (int i = 0; i < n; i++) {
      out[i] = r.u32(1, maxIndex, "client index");
      if (out[i] <= prev) throw SecAggException.malformed("client indices must be strictly increasing");
      prev = out[i];
    }
    return out;
  }

  record SharePlain(int from, int to, byte[] seedShare, byte[] keyShare) {
    byte[] encode() {
      return new ByteWriter(80).u32(from).u32(to).fixed(seedShare, Shamir.SHARE_BYTES).fixed(keyShare, Shamir.SHARE_BYTES).toByteArray();
    }

    static SharePlain parse(byte[] b) {
      ByteReader r = new ByteReader(b, "share plaintext");
      SharePlain p = new SharePlain(r.u32(), r.u32(), r.fixed(Shamir.SHARE_BYTES), r.fixed(Shamir.SHARE_BYTES));
      r.end();
      return p;
    }
  }

  static byte[] shareAad(byte[] ctx, int from, int to) {
    return new ByteWriter(64).raw(SHARE_AAD_DOMAIN).fixed(ctx, 32).u32(from).u32(to).toByteArray();
  }

  record Reveal(int owner, int kind, byte[] share) {}

  static byte[] encodeReveals(List<Reveal> reveals) {
    ByteWriter w = new ByteWriter(4 + reveals.size() * 38).u32(reveals.size());
    for (Reveal v : reveals) w.u32(v.owner()).u8(v.kind()).fixed(v.share(), Shamir.SHARE_BYTES);
    return w.toByteArray();
  }

  static List<Reveal> parseReveals(byte[] body, int maxIndex) {
    ByteReader r = new ByteReader(body, "UNMASK body");
    int n = r.u32(0, maxIndex, "count");
    List<Reveal> out = new ArrayList<>(n);
    int prev = 0;
    for (int i = 0; i < n; i++) {
      int owner = r.u32(1, maxIndex, "owner");
      if (owner <= prev) throw SecAggException.malformed("UNMASK owners must be strictly increasing (one share per client)");
      prev = owner;
      int kind = r.u8();
      if (kind != KIND_SELF_MASK_SEED && kind != KIND_MASK_KEY) throw SecAggException.malformed("UNMASK: unknown share kind " + kind);
      out.add(new Reveal(owner, kind, r.fixed(Shamir.SHARE_BYTES)));
    }
    r.end();
    return out;
  }

  // ---- server responses ----------------------------------------------------------------------------------

  static ByteWriter response(int kind, byte[] ctx, int recipient) {
    return new ByteWriter(256).raw(RESPONSE_MAGIC).u8(VERSION).u8(kind).fixed(ctx, 32).u32(recipient);
  }

  /** Opens a server response of {@code kind} for {@code recipient} and returns a reader at its payload. */
  static ByteReader openResponse(byte[] bytes, int kind, RoundConfig cfg, int recipient) {
    ByteReader r = new ByteReader(bytes, "server response");
    if (!Primitives.ctEquals(r.fixed(4), RESPONSE_MAGIC)) throw SecAggException.malformed("not a secure-aggregation server response");
    if (r.u8() != VERSION) throw SecAggException.malformed("server response: unsupported version");
    int k = r.u8();
    if (k != kind) throw new SecAggException(SecAggException.Code.WRONG_PHASE, "expected server response kind " + kind + ", got " + k);
    if (!Primitives.ctEquals(r.fixed(32), cfg.contextHashUnsafe())) throw new SecAggException(SecAggException.Code.WRONG_ROUND, "server response belongs to another round");
    int to = r.u32();
    if (to != recipient) throw new SecAggException(SecAggException.Code.WRONG_ROUND, "server response is for client " + to + ", not " + recipient);
    return r;
  }
}
