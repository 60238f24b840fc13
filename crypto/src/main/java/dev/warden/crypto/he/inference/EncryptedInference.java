package dev.warden.crypto.he.inference;

import dev.warden.crypto.he.ckks.Encoder;
import dev.warden.crypto.he.ckks.SafeDecryptor;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Encryptor;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.SecretKey;
import dev.warden.crypto.he.rlwe.Serialization;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two roles of encrypted inference, exchanging only bytes:
 * <pre>{@code
 * // both sides
 * CompiledModel model = CompiledModel.compile(OnnxImporter.read(onnxBytes), Parameters.CKKS_128_LOGN13_LOGQP200);
 * // key holder (gateway)
 * EncryptedInference.KeyHolder kh = EncryptedInference.KeyHolder.create(model, new SecureRandom(), Options.defaults());
 * byte[] evk = kh.evaluationKeys();                       // once, to the backend
 * byte[] query = kh.encrypt(new double[][] {pixels});     // per request (batch up to model.batchCapacity())
 * // backend (never sees a secret key)
 * EncryptedInference.Evaluator be = new EncryptedInference.Evaluator(model, evk);
 * byte[] answer = be.evaluate(query);
 * // key holder
 * EncryptedInference.Answer a = kh.decrypt(answer, 1);    // checked, flooded, masked; softmax applied
 * double[] probabilities = a.outputs()[0];
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * The evaluator sees only ciphertexts and public evaluation keys (IND-CPA under RLWE at the parameters'
 * 128-bit level). The key holder decrypts through {@link SafeDecryptor}: answers of the wrong shape are
 * refused before the key is used, released values are noise-flooded (statistical parameter from
 * {@link Options}), masked to the model's outputs and rounded, and key use is counted. Not provided: the
 * evaluator may compute a different function (no verifiable computation) and the model weights are
 * plaintext to the evaluator (no model privacy).
 */
public final class EncryptedInference {
  private EncryptedInference() {}

  /** Decryption-side safety settings. */
  public record Options(int statisticalSecurityBits, double errorBound, int outputBits, long rotateAfter,
      long hardLimit) {
    /** s = 30 bits, error bound 2^-24, outputs rounded to 2^-16, rotation due after 2^20 answers, refused after 2^24. */
    public static Options defaults() {
      return new Options(30, 0x1p-24, 16, 1L << 20, 1L << 24);
    }
  }

  /** A decrypted answer: per-request outputs after post-processing, and key-use bookkeeping. */
  public record Answer(double[][] scores, double[][] outputs, long keyUses, boolean rotationDue) {}

  /** The key holder: generates keys, encrypts queries, decrypts answers. Thread-safe (synchronized). */
  public static final class KeyHolder {
    private final CompiledModel model;
    private final SecretKey sk;
    private final EvaluationKeys evk;
    private final Encoder encoder;
    private final Encryptor encryptor;
    private final SafeDecryptor[] decryptors;
    private final AtomicLong counter = new AtomicLong();

    private KeyHolder(CompiledModel model, SecureRandom random, Options options) {
      this.model = model;
      Parameters p = model.parameters();
      KeyGenerator kg = new KeyGenerator(p, random);
      this.sk = kg.genSecretKey();
      this.evk = kg.genEvaluationKeys(sk, model.needsRelinKey(), model.rotationSteps(), false);
      this.encoder = new Encoder(p);
      this.encryptor = Encryptor.withSecretKey(sk, random);
      this.decryptors = new SafeDecryptor[model.batchCapacity() + 1];
      for (int b = 1; b <= model.batchCapacity(); b++) {
        decryptors[b] = SafeDecryptor.builder(sk, random)
            .expect(model.outputLevel(), model.outputScale())
            .outputSlots(model.outputSlots(b))
            .flooding(options.statisticalSecurityBits(), options.errorBound())
            .outputBits(options.outputBits())
            .keyUseLimits(options.rotateAfter(), options.hardLimit(), counter)
            .build();
      }
    }

    public static KeyHolder create(CompiledModel model, SecureRandom random, Options options) {
      return new KeyHolder(Objects.requireNonNull(model), Objects.requireNonNull(random), Objects.requireNonNull(options));
    }

    /** Serialised public evaluation keys (relinearisation if needed + exactly the model's rotations). */
    public byte[] evaluationKeys() {
      return Serialization.write(evk);
    }

    public CompiledModel model() {
      return model;
    }

    /** Encrypts a batch of inputs (secret-key encryption: half-size, seeded ciphertext). */
    public synchronized byte[] encrypt(double[][] inputs) {
      return Serialization.write(encryptCiphertext(inputs), model.parameters());
    }

    /** As {@link #encrypt} without serialisation. */
    public synchronized Ciphertext encryptCiphertext(double[][] inputs) {
      return encryptor.encrypt(model.encodeInputs(encoder, inputs));
    }

    /** Parses, checks and safely decrypts an answer for a batch of {@code batch} requests. */
    public Answer decrypt(byte[] answer, int batch) {
      return decrypt(Serialization.readCiphertext(answer, model.parameters()), batch);
    }

    public synchronized Answer decrypt(Ciphertext answer, int batch) {
      if (batch < 1 || batch > model.batchCapacity()) {
        throw new IllegalArgumentException("batch must be in 1.." + model.batchCapacity());
      }
      SafeDecryptor.Result r = decryptors[batch].decrypt(answer);
      double[][] scores = model.scores(r.values(), batch);
      double[][] outputs = new double[batch][];
      for (int i = 0; i < batch; i++) {
        outputs[i] = model.model().postProcess(scores[i]);
      }
      return new Answer(scores, outputs, r.keyUses(), r.rotationDue());
    }

    /** Zeroes the secret key; the holder is unusable afterwards. */
    public synchronized void destroy() {
      sk.destroy();
    }
  }

  /** The compute party: evaluates the compiled model on encrypted queries. One instance per thread. */
  public static final class Evaluator {
    private final CompiledModel model;
    private final dev.warden.crypto.he.ckks.Evaluator ev;

    public Evaluator(CompiledModel model, byte[] evaluationKeys) {
      this(model, Serialization.readEvaluationKeys(evaluationKeys, model.parameters()));
    }

    public Evaluator(CompiledModel model, EvaluationKeys keys) {
      this.model = model;
      this.ev = new dev.warden.crypto.he.ckks.Evaluator(model.parameters(), keys);
      for (int step : model.rotationSteps()) {
        keys.galoisKey(KeyGenerator.rotationGaloisElement(model.parameters(), step)); // fail early if missing
      }
      if (model.needsRelinKey()) {
        keys.relinKey();
      }
    }

    public byte[] evaluate(byte[] query) {
      Ciphertext out = evaluate(Serialization.readCiphertext(query, model.parameters()));
      return Serialization.write(out, model.parameters());
    }

    public Ciphertext evaluate(Ciphertext query) {
      return model.evaluate(ev, query);
    }
  }
}
