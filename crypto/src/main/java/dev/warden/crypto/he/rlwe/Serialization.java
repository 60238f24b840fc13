package dev.warden.crypto.he.rlwe;

import dev.warden.crypto.he.ring.Prng;
import dev.warden.crypto.he.ring.RingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compact binary encoding of ciphertexts, public keys, switching keys and evaluation-key sets.
 *
 * <pre>
 * header  : "WHE" | version (1 byte) | type (1 byte) | parameter fingerprint (16 bytes)
 * limb    : N coefficients, each in exactly bits(q_i) bits, little-endian bit order, padded to a byte
 * ciphertext: size (1) | level (1) | scale (8, IEEE double) | flags (1: bit 0 = c_1 seeded)
 *             | [seed (32)] | c_0 limbs 0..ℓ | [c_1 limbs …] | [c_2 limbs …]
 * public key: seed (32) | b limbs 0..L
 * switch key: galois element (8) | seed (32) | digits (1) = L+1 | b_j limbs (q_0..q_L, P) per digit
 * eval keys : has relin (1) | count (2) | [relin key] | count × switch key   (each without header)
 * </pre>
 * A secret-key ciphertext travels with the 32-byte seed of c_1 instead of c_1 (half size); keys always
 * do. Reading checks every field — magic, version, type, fingerprint, size, level, scale, flags, every
 * coefficient &lt; q_i, Galois elements odd and in range, exact total length — and throws
 * {@link IllegalArgumentException} naming the field: malformed or hostile input is an error, never an
 * out-of-bounds access or a silently different object. Stateless; thread-safe.
 */
public final class Serialization {
  public static final int VERSION = 1;
  static final byte TYPE_CIPHERTEXT = 1;
  static final byte TYPE_PUBLIC_KEY = 2;
  static final byte TYPE_SWITCHING_KEY = 3;
  static final byte TYPE_EVALUATION_KEYS = 4;
  private static final byte[] MAGIC = {'W', 'H', 'E'};
  /** Upper bound on Galois keys in one set (slots' worth of rotations is never needed). */
  public static final int MAX_GALOIS_KEYS = 4096;

  private Serialization() {}

  // ---------------------------------------------------------------- writing

  public static byte[] write(Ciphertext ct, Parameters params) {
    Writer w = new Writer(params, TYPE_CIPHERTEXT);
    if (ct.level() > params.maxLevel()) {
      throw new IllegalArgumentException("ciphertext level above the parameters' maximum");
    }
    byte[] seed = ct.size() == 2 ? ct.seed() : null;
    w.out.write(ct.size());
    w.out.write(ct.level());
    w.putLong(Double.doubleToLongBits(ct.scale()));
    w.out.write(seed != null ? 1 : 0);
    if (seed != null) {
      w.out.writeBytes(seed);
    }
    for (int d = 0; d < ct.size(); d++) {
      if (d == 1 && seed != null) {
        continue;
      }
      for (int i = 0; i <= ct.level(); i++) {
        w.putLimb(ct.poly(d)[i], i);
      }
    }
    return w.out.toByteArray();
  }

  public static byte[] write(PublicKey pk) {
    Parameters params = pk.parameters();
    Writer w = new Writer(params, TYPE_PUBLIC_KEY);
    w.out.writeBytes(pk.seedRef());
    for (int i = 0; i <= params.maxLevel(); i++) {
      w.putLimb(pk.b()[i], i);
    }
    return w.out.toByteArray();
  }

  public static byte[] write(SwitchingKey key) {
    Writer w = new Writer(key.parameters(), TYPE_SWITCHING_KEY);
    putSwitchingKey(w, key);
    return w.out.toByteArray();
  }

  public static byte[] write(EvaluationKeys keys) {
    Writer w = new Writer(keys.parameters(), TYPE_EVALUATION_KEYS);
    w.out.write(keys.hasRelinKey() ? 1 : 0);
    int count = keys.galoisKeys().size();
    w.out.write(count >>> 8);
    w.out.write(count);
    if (keys.hasRelinKey()) {
      putSwitchingKey(w, keys.relinKey());
    }
    for (SwitchingKey k : keys.galoisKeys().values()) {
      putSwitchingKey(w, k);
    }
    return w.out.toByteArray();
  }

  private static void putSwitchingKey(Writer w, SwitchingKey key) {
    Parameters p = key.parameters();
    w.putLong(key.galoisElement());
    w.out.writeBytes(key.seedRef());
    w.out.write(p.maxLevel() + 1);
    for (long[][] b : key.b()) {
      for (int i = 0; i <= p.maxLevel() + 1; i++) {
        w.putLimb(b[i], i);
      }
    }
  }

  // ---------------------------------------------------------------- reading

  public static Ciphertext readCiphertext(byte[] data, Parameters params) {
    Reader r = new Reader(data, params, TYPE_CIPHERTEXT);
    int size = r.u8("ciphertext size");
    if (size != 2 && size != 3) {
      throw new IllegalArgumentException("ciphertext size must be 2 or 3, got " + size);
    }
    int level = r.u8("level");
    if (level > params.maxLevel()) {
      throw new IllegalArgumentException("level " + level + " above the parameters' maximum " + params.maxLevel());
    }
    double scale = Double.longBitsToDouble(r.i64("scale"));
    if (!(scale >= 1) || !Double.isFinite(scale) || scale > 0x1p1000) {
      throw new IllegalArgumentException("scale out of range: " + scale);
    }
    int flags = r.u8("flags");
    if ((flags & ~1) != 0 || (flags == 1 && size != 2)) {
      throw new IllegalArgumentException("invalid flags " + flags);
    }
    byte[] seed = flags == 1 ? r.bytes(Prng.SEED_BYTES, "seed") : null;
    RingContext ring = params.ring();
    long[][][] polys = new long[size][][];
    for (int d = 0; d < size; d++) {
      if (d == 1 && seed != null) {
        polys[d] = Expand.uniform(ring, seed, Expand.range(0, level, -1));
        continue;
      }
      polys[d] = new long[level + 1][];
      for (int i = 0; i <= level; i++) {
        polys[d][i] = r.limb(i, "ciphertext polynomial " + d + " limb " + i);
      }
    }
    r.end();
    Ciphertext ct = new Ciphertext(polys, level, scale);
    if (seed != null) {
      ct.setSeed(seed);
    }
    return ct;
  }

  public static PublicKey readPublicKey(byte[] data, Parameters params) {
    Reader r = new Reader(data, params, TYPE_PUBLIC_KEY);
    byte[] seed = r.bytes(Prng.SEED_BYTES, "seed");
    long[][] b = new long[params.maxLevel() + 1][];
    for (int i = 0; i <= params.maxLevel(); i++) {
      b[i] = r.limb(i, "public key limb " + i);
    }
    r.end();
    long[][] a = Expand.uniform(params.ring(), seed, Expand.range(0, params.maxLevel(), -1));
    return new PublicKey(params, b, a, seed);
  }

  public static SwitchingKey readSwitchingKey(byte[] data, Parameters params) {
    Reader r = new Reader(data, params, TYPE_SWITCHING_KEY);
    SwitchingKey k = getSwitchingKey(r, params);
    r.end();
    return k;
  }

  public static EvaluationKeys readEvaluationKeys(byte[] data, Parameters params) {
    Reader r = new Reader(data, params, TYPE_EVALUATION_KEYS);
    int hasRelin = r.u8("relin flag");
    if (hasRelin > 1) {
      throw new IllegalArgumentException("invalid relin flag " + hasRelin);
    }
    int count = (r.u8("key count") << 8) | r.u8("key count");
    if (count > MAX_GALOIS_KEYS) {
      throw new IllegalArgumentException("too many Galois keys: " + count);
    }
    SwitchingKey relin = null;
    if (hasRelin == 1) {
      relin = getSwitchingKey(r, params);
      if (relin.galoisElement() != 0) {
        throw new IllegalArgumentException("relinearisation key has a Galois element");
      }
    }
    Map<Long, SwitchingKey> galois = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      SwitchingKey k = getSwitchingKey(r, params);
      if (k.galoisElement() == 0 || galois.put(k.galoisElement(), k) != null) {
        throw new IllegalArgumentException("missing or duplicate Galois element " + k.galoisElement());
      }
    }
    r.end();
    return new EvaluationKeys(params, relin, galois);
  }

  private static SwitchingKey getSwitchingKey(Reader r, Parameters params) {
    long g = r.i64("Galois element");
    long twoN = 2L * params.n();
    if (g != 0 && (g < 0 || g >= twoN || (g & 1) == 0)) {
      throw new IllegalArgumentException("invalid Galois element " + g);
    }
    byte[] seed = r.bytes(Prng.SEED_BYTES, "seed");
    int digits = r.u8("digit count");
    if (digits != params.maxLevel() + 1) {
      throw new IllegalArgumentException("digit count " + digits + " does not match the parameters");
    }
    int limbs = params.maxLevel() + 2;
    long[][][] b = new long[digits][limbs][];
    for (int j = 0; j < digits; j++) {
      for (int i = 0; i < limbs; i++) {
        b[j][i] = r.limb(i, "key digit " + j + " limb " + i);
      }
    }
    long[][][] a = Expand.uniformMany(params.ring(), seed, digits, Expand.range(0, params.maxLevel(), params.specialIndex()));
    return new SwitchingKey(params, g, b, a, seed);
  }

  // ---------------------------------------------------------------- bit packing

  private static final class Writer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final Parameters params;

    Writer(Parameters params, byte type) {
      this.params = params;
      out.writeBytes(MAGIC);
      out.write(VERSION);
      out.write(type);
      out.writeBytes(params.fingerprint());
    }

    void putLong(long v) {
      out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
    }

    /** Bit-packs a limb, low bits first (little-endian bit stream), eight bytes at a time. */
    void putLimb(long[] limb, int modIndex) {
      int bits = params.ring().modulus(modIndex).bits();
      byte[] buf = new byte[(limb.length * bits + 7) / 8];
      long acc = 0;
      int accBits = 0;
      int pos = 0;
      for (long v : limb) {
        // v < 2^bits, bits ≤ 61: fill acc; when it overflows, emit it and keep v's remaining high bits
        acc |= v << accBits;
        int total = accBits + bits;
        if (total >= 64) {
          LE_LONG.set(buf, pos, acc);
          pos += 8;
          acc = v >>> (64 - accBits); // accBits ≥ 3 here, so the shift is in [1, 61]
          accBits = total - 64;
        } else {
          accBits = total;
        }
      }
      for (; accBits > 0; accBits -= 8, acc >>>= 8) {
        buf[pos++] = (byte) acc;
      }
      out.writeBytes(buf);
    }
  }

  private static final java.lang.invoke.VarHandle LE_LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static final class Reader {
    final byte[] data;
    final Parameters params;
    int pos;

    Reader(byte[] data, Parameters params, byte type) {
      if (data == null) {
        throw new IllegalArgumentException("no data");
      }
      this.data = data;
      this.params = params;
      byte[] magic = bytes(3, "magic");
      if (magic[0] != MAGIC[0] || magic[1] != MAGIC[1] || magic[2] != MAGIC[2]) {
        throw new IllegalArgumentException("not a Warden HE object (bad magic)");
      }
      int version = u8("version");
      if (version != VERSION) {
        throw new IllegalArgumentException("unsupported version " + version);
      }
      int t = u8("type");
      if (t != type) {
        throw new IllegalArgumentException("expected object type " + type + ", found " + t);
      }
      byte[] fp = bytes(16, "parameter fingerprint");
      if (!params.sameFingerprint(fp)) {
        throw new IllegalArgumentException("parameter fingerprint mismatch: object made for other parameters");
      }
    }

    void need(int n, String field) {
      if (n < 0 || data.length - pos < n) {
        throw new IllegalArgumentException("truncated input while reading " + field);
      }
    }

    int u8(String field) {
      need(1, field);
      return data[pos++] & 0xff;
    }

    long i64(String field) {
      need(8, field);
      long v = ByteBuffer.wrap(data, pos, 8).getLong();
      pos += 8;
      return v;
    }

    byte[] bytes(int n, String field) {
      need(n, field);
      byte[] b = java.util.Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return b;
    }

    long[] limb(int modIndex, String field) {
      var mod = params.ring().modulus(modIndex);
      int bits = mod.bits();
      long q = mod.value();
      int n = params.n();
      int len = (n * bits + 7) / 8;
      need(len, field);
      long[] out = new long[n];
      long mask = (1L << bits) - 1;
      int end = pos + len;
      for (int k = 0; k < n; k++) {
        long off = (long) k * bits;
        int b = pos + (int) (off >>> 3);
        int sh = (int) (off & 7);
        long v = word(b, end) >>> sh;
        if (sh + bits > 64) {
          v |= (data[b + 8] & 0xffL) << (64 - sh); // b + 8 < end: the value's last bit lies in that byte
        }
        v &= mask;
        if (v >= q) {
          throw new IllegalArgumentException(field + ": coefficient " + k + " not reduced modulo q");
        }
        out[k] = v;
      }
      int used = (int) (((long) n * bits) & 7);
      if (used != 0 && ((data[end - 1] & 0xff) >>> used) != 0) {
        throw new IllegalArgumentException(field + ": nonzero padding bits");
      }
      pos = end;
      return out;
    }

    /** Eight bytes little-endian from b, zero past {@code end}. */
    private long word(int b, int end) {
      if (b + 8 <= end) {
        return (long) LE_LONG.get(data, b);
      }
      long w = 0;
      for (int i = b; i < end; i++) {
        w |= (data[i] & 0xffL) << (8 * (i - b));
      }
      return w;
    }

    void end() {
      if (pos != data.length) {
        throw new IllegalArgumentException((data.length - pos) + " trailing bytes");
      }
    }
  }
}
