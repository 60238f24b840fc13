package dev.warden.gateway.he;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.gateway.he.backend.TokenFile;
import dev.warden.gateway.pipeline.ComputeBackend;
import dev.warden.gateway.pipeline.Endpoint;
import dev.warden.gateway.pipeline.Exchange;
import dev.warden.gateway.pipeline.StageRejection;
import dev.warden.gateway.pipeline.StageVerdict;
import dev.warden.gateway.protocol.InferenceMessage;
import dev.warden.gateway.protocol.Tensor;
import dev.warden.policies.GatewayPolicy;
import dev.warden.policies.Specs.Backend;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Step 8 for {@code protocol: warden-he} backends: the gateway is the key holder. For each request it
 * encrypts the (already screened) input tensor under the tenant's key set, sends only the ciphertext to
 * the untrusted backend, checks and safely decrypts the answer ({@code KeyHolder.decrypt}: shape check
 * before key use, lowest level, flooding, slot masking, rounding, final activation) and answers in the
 * request's protocol (OIP v2 JSON or TF predict) with {@code Warden-Compute: he}. Privacy stages
 * (DP noise) then run on the decrypted answer like on a plain backend's.
 *
 * <p>Register with {@code Gateway.Builder#computeBackend(Protocol.WARDEN_HE, he)} and
 * {@code onReload(he)} (it reads {@code spec.he} of each loaded policy).
 *
 * <h2>Security guarantees</h2>
 * Secret keys are generated here from {@link SecureRandom}, stored only encrypted at rest
 * ({@link HeKeyStore}), and never sent: the backend receives evaluation keys (public) and
 * secret-key-encrypted ciphertexts. A backend that is down, slow or answers with an error or a
 * ciphertext of the wrong shape gets the request refused (503 / 502), unless the backend's policy entry
 * names a {@code fallback}: then a down or slow backend (503) hands the request to that other warden-he
 * backend (the policy loader refuses any other kind), which gets the tenant's evaluation keys first.
 * There is never a fallback to a plain backend. Key sets rotate after the configured number of
 * decryptions and the old id is retired at the backend; the use counter is persisted ahead of use
 * ({@link #RESERVE} at a time), so a crash over-counts and never forgets a decryption. Not provided:
 * integrity of the computed function (see {@code SECURITY-he.md}).
 */
public final class HeComputeBackend implements ComputeBackend, Consumer<GatewayPolicy>, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HeComputeBackend.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String COMPUTE_HEADER = "Warden-Compute";
  /** Ciphertexts (of {@code batchCapacity()} rows each) one request may use. */
  public static final int MAX_CIPHERTEXTS = 8;
  /**
   * Decryptions reserved in the key store at a time: the stored count is raised to cover the next
   * {@code RESERVE} uses before the first of them, so the store is never behind the true count (one
   * encrypted file write per {@code RESERVE} decryptions).
   */
  static final int RESERVE = 32;

  private final SecureRandom random;
  private final Map<String, String> env;
  private final Map<String, CompiledModel> compiled = new ConcurrentHashMap<>();
  private final Map<String, TenantKey> keys = new ConcurrentHashMap<>();
  private volatile HeConfig config;
  private volatile String configError = "no spec.he section in the policy";
  private volatile HeKeyStore store;
  private volatile HeClient client;
  /** The loaded policy's backends (for fallbacks) and the bearer tokens of warden-he backends, by name. */
  private volatile Map<String, Backend> backends = Map.of();
  /** Re-read when they change, so a rotated Secret needs no reload. */
  private volatile Map<String, TokenFile> tokens = Map.of();

  public HeComputeBackend(SecureRandom random, Map<String, String> env) {
    this.random = random;
    this.env = env;
  }

  /** Reads {@code spec.he} of a newly loaded policy (model verification and compilation happen here). */
  @Override
  public synchronized void accept(GatewayPolicy policy) {
    try {
      Map<String, TokenFile> t = new java.util.HashMap<>();
      for (Backend b : policy.backends().values()) {
        if (b.tokenFile().isPresent()) {
          t.put(b.name(), TokenFile.open(b.tokenFile().get()));
        }
      }
      tokens = Map.copyOf(t);
      backends = policy.backends();
      HeConfig c = HeConfig.from(policy, compiled::get);
      if (c == null) {
        config = null;
        configError = "no spec.he section in the policy";
        return;
      }
      c.models().values().forEach(m -> compiled.put(m.digest(), m.model()));
      HeConfig old = config;
      if (old == null || !old.keyDir().equals(c.keyDir()) || store == null) {
        byte[] kek = HeKeyStore.readKek(c.kekFile(), c.kekEnv(), env);
        store = HeKeyStore.open(c.keyDir(), kek, random);
        java.util.Arrays.fill(kek, (byte) 0);
        keys.clear();
      }
      config = c;
      configError = null;
    } catch (Exception e) {
      config = null;
      configError = "HE configuration not usable: " + e.getMessage();
      LOG.warning(configError);
    }
  }

  /** Why HE requests are refused now, or null. */
  public String notUsableReason() {
    return configError;
  }

  @Override
  public Future<Response> compute(Exchange ex, Backend backend) {
    Context ctx = Vertx.currentContext();
    HeConfig c = config;
    if (c == null) {
      return Future.failedFuture(new StageRejection(503, "he_unavailable", configError));
    }
    HeConfig.ModelConfig mc = c.models().get(ex.model());
    if (mc == null) {
      return Future.failedFuture(new StageRejection(503, "he_unavailable",
          "model '" + ex.model() + "' has no spec.he.models entry"));
    }
    double[][] inputs;
    try {
      inputs = inputs(ex.inference(), mc.model());
    } catch (StageRejection r) {
      return Future.failedFuture(r);
    }
    HeClient http = client(ctx.owner());
    ex.compute("he");
    return ctx.executeBlocking(() -> keySet(ex.tenant(), mc), false).compose(tk -> {
      ex.verdict("he", StageVerdict.PASS, "key=" + tk.keyId);
      // one ciphertext per batchCapacity() rows, sent one after the other (to the fallback, once switched)
      Backend[] at = {backend};
      int cap = mc.model().batchCapacity();
      double[][] outputs = new double[inputs.length][];
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < inputs.length; from += cap) {
        int start = from;
        double[][] chunk = java.util.Arrays.copyOfRange(inputs, from, Math.min(inputs.length, from + cap));
        chain = chain.compose(v -> ctx.executeBlocking(() -> tk.holder.encrypt(chunk), false)
            .compose(query -> infer(http, ex, at, mc.backendModel(), tk, query))
            .compose(answer -> ctx.executeBlocking(() -> decrypt(tk, mc, answer, chunk.length), false))
            .map(out -> {
              System.arraycopy(out, 0, outputs, start, out.length);
              return null;
            }));
      }
      return chain.map(v -> respond(ex, mc, outputs));
    }, e -> Future.failedFuture(e instanceof StageRejection ? e
        : new StageRejection(503, "he_unavailable", "HE key set not available: " + e.getMessage())));
  }

  /**
   * Sends one ciphertext to {@code at[0]}; when that backend is unavailable or too slow (503) and its
   * policy entry names a fallback, switches {@code at[0]} to it and tries there (the loader guarantees a
   * fallback is a warden-he backend and that the chain has no loop).
   */
  private Future<byte[]> infer(HeClient http, Exchange ex, Backend[] at, String model, TenantKey tk, byte[] query) {
    Backend b = at[0];
    return http.infer(b, model, tk, query).recover(e -> {
      Backend next = b.fallback().map(backends::get).orElse(null);
      if (!(e instanceof StageRejection r) || r.status() != 503 || next == null
          || next.protocol() != dev.warden.policies.Protocol.WARDEN_HE) {
        return Future.failedFuture(e);
      }
      // once per opening of the circuit (HeClient logs that), not on every request it turns away
      LOG.log(http.circuitOpen(b) ? java.util.logging.Level.FINE : java.util.logging.Level.WARNING, "HE backend '"
          + b.name() + "' unavailable (" + r.getMessage() + "): falling back to '" + next.name() + "'");
      ex.verdict("he-fallback", StageVerdict.PASS, b.name() + " -> " + next.name());
      at[0] = next;
      return infer(http, ex, at, model, tk, query);
    });
  }

  private HeClient client(Vertx vertx) {
    HeClient h = client;
    if (h == null) {
      synchronized (this) {
        if (client == null) {
          client = new HeClient(vertx, name -> {
            TokenFile f = tokens.get(name);
            return f == null ? null : f.token();
          });
        }
        h = client;
      }
    }
    return h;
  }

  static double[][] inputs(InferenceMessage m, CompiledModel model) {
    if (m == null || m.tensors().size() != 1) {
      throw new StageRejection(422, "malformed_input", "the HE route expects exactly one input tensor");
    }
    Tensor t = m.tensors().get(0);
    int d = model.model().inputSize();
    long[] shape = t.shape();
    long count = t.elementCount();
    boolean okShape = (shape.length == 1 && shape[0] == d) || (shape.length == 2 && shape[1] == d);
    if (!okShape || count % d != 0) {
      throw new StageRejection(422, "malformed_input", "input '" + t.name() + "' must have shape [batch, " + d + "]");
    }
    int batch = (int) (count / d);
    if (batch < 1 || batch > model.batchCapacity() * MAX_CIPHERTEXTS) {
      throw new StageRejection(422, "he_batch_too_large", "the HE route takes 1.."
          + model.batchCapacity() * MAX_CIPHERTEXTS + " rows per request (got " + batch + ")");
    }
    double[] flat = t.toDoubles();
    double[][] rows = new double[batch][d];
    for (int r = 0; r < batch; r++) {
      System.arraycopy(flat, r * d, rows[r], 0, d);
    }
    return rows;
  }

  // ---------------------------------------------------------------- keys

  /** A tenant's key set for one model. */
  static final class TenantKey {
    final String tenant;
    final String model;
    final String keyId;
    final EncryptedInference.KeyHolder holder;
    final byte[] evaluationKeys;
    final java.util.concurrent.atomic.AtomicLong uses;
    /** Uses covered by the count persisted in the key store (guarded by this). */
    long reserved;
    /** Backends that hold this set's evaluation keys, by base URL. */
    final Map<String, Backend> pushedTo = new ConcurrentHashMap<>();
    volatile boolean retired;

    TenantKey(String tenant, String model, String keyId, EncryptedInference.KeyHolder holder, long uses) {
      this.tenant = tenant;
      this.model = model;
      this.keyId = keyId;
      this.holder = holder;
      this.evaluationKeys = holder.evaluationKeys();
      this.uses = new java.util.concurrent.atomic.AtomicLong(uses);
      this.reserved = uses;
    }

    @Override
    public String toString() {
      return "TenantKey[" + tenant + "/" + model + " " + keyId + "]";
    }
  }

  private TenantKey keySet(String tenant, HeConfig.ModelConfig mc) throws IOException {
    String k = tenant + "|" + mc.name() + "|" + mc.digest();
    TenantKey tk = keys.get(k);
    if (tk != null && !tk.retired) {
      return tk;
    }
    synchronized (this) {
      tk = keys.get(k);
      if (tk != null && !tk.retired) {
        return tk;
      }
      HeKeyStore.Entry e = tk == null ? store.load(tenant, mc.name()) : null;
      if (e != null && e.uses() >= mc.options().rotateAfter()) {
        e = null; // due for rotation: start a fresh set
      }
      if (e == null) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        byte[] id = new byte[12];
        random.nextBytes(id);
        e = new HeKeyStore.Entry("k-" + HexFormat.of().formatHex(id), seed, 0);
        java.util.Arrays.fill(seed, (byte) 0);
        store.store(tenant, mc.name(), e);
      }
      byte[] seed = e.seed();
      EncryptedInference.KeyHolder holder = EncryptedInference.KeyHolder.create(mc.model(),
          new KeySeedRandom(seed, random), mc.options());
      java.util.Arrays.fill(seed, (byte) 0);
      TenantKey fresh = new TenantKey(tenant, mc.name(), e.keyId(), holder, e.uses());
      keys.put(k, fresh);
      return fresh;
    }
  }

  private double[][] decrypt(TenantKey tk, HeConfig.ModelConfig mc, byte[] answer, int batch) throws IOException {
    long rotateAfter = mc.options().rotateAfter();
    long used = tk.uses.incrementAndGet();
    reserveUses(tk, used, Math.max(used, Math.min(used - 1 + RESERVE, rotateAfter))); // before the key is used
    EncryptedInference.Answer a;
    try {
      a = tk.holder.decrypt(answer, batch);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new StageRejection(502, "he_bad_answer", "the HE backend's answer was refused: " + e.getMessage());
    }
    boolean due = a.rotationDue() || used >= rotateAfter;
    if (due) {
      reserveUses(tk, rotateAfter, Math.max(used, rotateAfter)); // a restart must not load the retired set again
    }
    if (due && !tk.retired) {
      tk.retired = true; // requests already encrypted under it still decrypt; new ones get a fresh set
      LOG.info("HE key set " + tk.keyId + " of tenant " + tk.tenant + " rotated after " + used + " decryptions");
      HeClient h = client;
      if (h != null) {
        tk.pushedTo.values().forEach(b -> h.retire(b, tk.keyId));
      }
    }
    return a.outputs();
  }

  /**
   * When the stored use count does not cover {@code used} yet, raises it to {@code upTo} (at least
   * {@code used}). So the store is never behind the true count: a crash between two writes over-counts
   * (rotation comes early), the safe direction for the IND-CPA-D bound.
   */
  private void reserveUses(TenantKey tk, long used, long upTo) throws IOException {
    synchronized (tk) {
      if (used <= tk.reserved) {
        return;
      }
      HeKeyStore.Entry cur = store.load(tk.tenant, tk.model);
      if (cur != null && cur.keyId().equals(tk.keyId)) {
        store.store(tk.tenant, tk.model, new HeKeyStore.Entry(cur.keyId(), cur.seed(), upTo));
      }
      tk.reserved = upTo;
    }
  }

  private static Response respond(Exchange ex, HeConfig.ModelConfig mc, double[][] outputs) {
    int batch = outputs.length;
    int k = outputs[0].length;
    ObjectNode root = JSON.createObjectNode();
    if (ex.endpoint() == Endpoint.TF_PREDICT) {
      ArrayNode preds = root.putArray("predictions");
      for (double[] row : outputs) {
        ArrayNode r = preds.addArray();
        for (double v : row) {
          r.add((float) v);
        }
      }
    } else {
      root.put("model_name", ex.model());
      if (ex.modelVersion() != null) {
        root.put("model_version", ex.modelVersion());
      }
      InferenceMessage m = ex.inference();
      if (m != null && m.header().hasNonNull("id")) {
        root.set("id", m.header().get("id"));
      }
      ObjectNode out = root.putArray("outputs").addObject();
      out.put("name", mc.output()).put("datatype", "FP32");
      out.putArray("shape").add(batch).add(k);
      ArrayNode data = out.putArray("data");
      for (double[] row : outputs) {
        for (double v : row) {
          data.add((float) v);
        }
      }
    }
    MultiMap headers = HttpHeaders.headers();
    headers.set("Content-Type", "application/json");
    headers.set(COMPUTE_HEADER, "he");
    return new Response(200, headers, Buffer.buffer(root.toString()));
  }

  @Override
  public void close() {
    HeClient h = client;
    if (h != null) {
      h.close();
    }
    keys.values().forEach(t -> t.holder.destroy());
    keys.clear();
  }
}
