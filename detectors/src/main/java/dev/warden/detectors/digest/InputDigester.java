package dev.warden.detectors.digest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the canonical input digest of an inference request: HMAC-SHA-256, under the server's
 * {@link DigestKey}, of a domain-separated, unambiguous encoding of (model, version, output-affecting
 * parameters, inputs).
 *
 * <h2>Encoding (version 1)</h2>
 * All integers little-endian; {@code str} = u32 byte length + UTF-8 bytes.
 * <pre>
 * str("warden/input-digest/v1")
 * str(model)   u8(version present 0|1)  [str(version)]
 * u32(#parameters)  per parameter, sorted by name (String order): str(name) value
 *     value = 'n' | 'b' u8 | 'i' i64 | 'd' f64(canonical) | 's' str     (integral doubles encode as 'i')
 * u32(#inputs)      per input, sorted by name (duplicates refused):
 *     str(name) str(datatype) u32(rank) i64(dim)*rank
 *     fixed-size types: u64(byte length) data (row-major, little-endian, canonical floats, BOOL 0/1)
 *     BYTES:            u64(#elements) (u64(length) bytes)*
 * </pre>
 * Every field is length-prefixed or fixed-size, so two different requests never share an encoding;
 * the leading label separates this use of the key from any other.
 *
 * <h2>Security guarantees</h2>
 * <ul>
 *   <li>Same model/version/parameters/tensors (as numbers: -0.0 = +0.0, all NaNs equal; JSON or
 *       binary wire form; any input or parameter order) → same digest.</li>
 *   <li>Any other difference → a different digest except with probability ~2^-256 (HMAC-SHA-256
 *       collision resistance), and without the key nobody can compute or target a digest.</li>
 *   <li>Not guaranteed: that near-identical inputs digest alike (that is the query-attack store's
 *       job), nor that parameters the caller leaves out are covered — pass every parameter that
 *       changes the output.</li>
 * </ul>
 * Thread-safe.
 */
public final class InputDigester {
  static final String DOMAIN = "warden/input-digest/v1";
  private static final String ALG = "HmacSHA256";

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  /** A digester under {@code key} (the key bytes are copied). */
  public InputDigester(DigestKey key) {
    Objects.requireNonNull(key, "key");
    this.key = new SecretKeySpec(key.material(), ALG);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance(ALG);
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
    }
  }

  /** Digest of inputs only, without parameters. */
  public InputDigest digest(String model, String version, List<Tensor> inputs) {
    return digest(model, version, inputs, Map.of());
  }

  /**
   * Digest of one request.
   *
   * @param model model name (required)
   * @param version model version, or null when the request names none
   * @param inputs the request's input tensors (any order; names must be unique)
   * @param parameters the output-affecting request parameters (values: null, Boolean, Number, String)
   * @throws IllegalArgumentException on a duplicate input name or an unsupported parameter value
   */
  public InputDigest digest(String model, String version, List<Tensor> inputs, Map<String, ?> parameters) {
    if (model == null || model.isEmpty()) throw new IllegalArgumentException("model name is missing");
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(parameters, "parameters");
    Mac mac = macs.get();
    mac.reset();
    Encoder e = new Encoder(mac);
    e.str(DOMAIN);
    e.str(model);
    if (version == null) {
      e.u8(0);
    } else {
      e.u8(1);
      e.str(version);
    }
    TreeMap<String, Object> params = new TreeMap<>(parameters);
    e.u32(params.size());
    for (Map.Entry<String, Object> p : params.entrySet()) {
      e.str(p.getKey());
      e.value(p.getKey(), p.getValue());
    }
    List<Tensor> sorted = new ArrayList<>(inputs);
    sorted.sort(Comparator.comparing(Tensor::name));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
        throw new IllegalArgumentException("input '" + sorted.get(i).name() + "' appears twice");
      }
    }
    e.u32(sorted.size());
    for (Tensor t : sorted) {
      e.str(t.name());
      e.str(t.datatype().oipName());
      long[] shape = t.shape();
      e.u32(shape.length);
      for (long d : shape) e.i64(d);
      if (t.datatype() == DataType.BYTES) {
        byte[][] els = t.rawElements();
        e.i64(els.length);
        for (byte[] el : els) {
          e.i64(el.length);
          e.flush();
          mac.update(el);
        }
      } else {
        byte[] d = t.rawData();
        e.i64(d.length);
        e.flush();
        mac.update(d);
      }
    }
    e.flush();
    return new InputDigest(mac.doFinal());
  }

  /** Buffers small fields and feeds them to the MAC. */
  private static final class Encoder {
    private final Mac mac;
    private final ByteBuffer buf = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    Encoder(Mac mac) { this.mac = mac; }

    void ensure(int n) { if (buf.remaining() < n) flush(); }

    void flush() {
      if (buf.position() > 0) {
        mac.update(buf.array(), 0, buf.position());
        buf.clear();
      }
    }

    void u8(int v) { ensure(1); buf.put((byte) v); }

    void u32(int v) { ensure(4); buf.putInt(v); }

    void i64(long v) { ensure(8); buf.putLong(v); }

    void str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u32(b.length);
      flush();
      mac.update(b);
    }

    void value(String name, Object v) {
      if (v == null) {
        u8('n');
      } else if (v instanceof Boolean b) {
        u8('b');
        u8(b ? 1 : 0);
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        u8('i');
        i64(((Number) v).longValue());
      } else if (v instanceof java.math.BigInteger bi && bi.bitLength() <= 63) {
        u8('i');
        i64(bi.longValue());
      } else if (v instanceof Double || v instanceof Float || v instanceof java.math.BigDecimal) {
        double d = ((Number) v).doubleValue();
        if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
          u8('i');
          i64((long) d);
        } else {
          u8('d');
          i64(Double.isNaN(d) ? Tensor.CANONICAL_NAN_64 : Double.doubleToRawLongBits(d));
        }
      } else if (v instanceof CharSequence s) {
        u8('s');
        str(s.toString());
      } else {
        throw new IllegalArgumentException("parameter '" + name + "' has unsupported type " + v.getClass().getSimpleName()
            + " (use null, boolean, number or string)");
      }
    }
  }
}
