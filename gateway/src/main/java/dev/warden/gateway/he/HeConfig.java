package dev.warden.gateway.he;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warden.crypto.he.inference.CompiledModel;
import dev.warden.crypto.he.inference.EncryptedInference;
import dev.warden.policies.GatewayPolicy;
import dev.warden.verifier.KeyAuthority;
import dev.warden.verifier.ModelVerifier;
import dev.warden.verifier.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The policy's {@code spec.he} section, loaded: the key store and, per model name served through an HE
 * backend, the signed ONNX file the gateway compiles (the same one the backend serves).
 * <pre>
 * he:
 *   keyStore: {dir: state/he-keys, kekFile: secrets/he-kek}     # or kekEnv: WARDEN_HE_KEK
 *   models:
 *     digits:
 *       path: he-models/digits            # folder with model.onnx
 *       signature: he-models/digits/model.sig
 *       publicKey: keys/model-signing.pub.pem
 *       parameters: CKKS_128_LOGN13_LOGQP200   # optional (default: smallest deep enough)
 *       backendModel: digits                   # optional: name at the backend (default: same)
 *       output: probabilities                  # optional: output tensor name
 *       rotateAfter: 100000                    # optional: decryptions per key set (IND-CPA-D)
 * </pre>
 */
public record HeConfig(Path keyDir, Path kekFile, String kekEnv, Map<String, ModelConfig> models) {

  /** One HE-served model. */
  public record ModelConfig(String name, String backendModel, String output, CompiledModel model, String digest,
      EncryptedInference.Options options) {}

  /** Reads {@code spec.he} of the policy, or null if there is none. Verifies and compiles each model. */
  public static HeConfig from(GatewayPolicy policy, Function<String, CompiledModel> cache) throws Exception {
    JsonNode he = policy.raw().path("spec").path("he");
    if (he.isMissingNode() || he.isNull()) {
      return null;
    }
    Path base = policy.source() == null || policy.source().toAbsolutePath().getParent() == null
        ? Path.of("").toAbsolutePath() : policy.source().toAbsolutePath().getParent();
    JsonNode ks = he.path("keyStore");
    if (!ks.hasNonNull("dir")) {
      throw new IllegalArgumentException("spec.he.keyStore.dir is required");
    }
    Path keyDir = resolve(base, ks.get("dir").asText());
    Path kekFile = ks.hasNonNull("kekFile") ? resolve(base, ks.get("kekFile").asText()) : null;
    String kekEnv = ks.hasNonNull("kekEnv") ? ks.get("kekEnv").asText() : (kekFile == null ? "WARDEN_HE_KEK" : null);
    Map<String, ModelConfig> models = new LinkedHashMap<>();
    var it = he.path("models").fields();
    while (it.hasNext()) {
      var e = it.next();
      String name = e.getKey();
      JsonNode m = e.getValue();
      String where = "spec.he.models." + name;
      if (!m.hasNonNull("path") || !m.hasNonNull("signature") || !m.hasNonNull("publicKey")) {
        throw new IllegalArgumentException(where + ": path, signature and publicKey are required");
      }
      Path dir = resolve(base, m.get("path").asText());
      Path sig = resolve(base, m.get("signature").asText());
      Path pub = resolve(base, m.get("publicKey").asText());
      ModelVerifier.builder(new KeyAuthority(Pem.readPublicKey(pub))).build().verify(dir, sig);
      byte[] onnx = Files.readAllBytes(dir.resolve("model.onnx"));
      String preset = m.hasNonNull("parameters") ? m.get("parameters").asText() : null;
      String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)) + "/" + preset;
      CompiledModel cm = cache.apply(digest);
      if (cm == null) {
        cm = HeModels.compile(onnx, preset);
      }
      EncryptedInference.Options d = EncryptedInference.Options.defaults();
      long rotate = m.path("rotateAfter").asLong(d.rotateAfter());
      if (rotate < 1) {
        throw new IllegalArgumentException(where + ".rotateAfter must be at least 1");
      }
      EncryptedInference.Options opts = new EncryptedInference.Options(d.statisticalSecurityBits(), d.errorBound(),
          d.outputBits(), rotate, Math.max(d.hardLimit(), rotate + 1));
      models.put(name, new ModelConfig(name, m.path("backendModel").asText(name),
          m.path("output").asText("probabilities"), cm, digest, opts));
    }
    return new HeConfig(keyDir, kekFile, kekEnv, Map.copyOf(models));
  }

  private static Path resolve(Path base, String p) {
    Path x = Path.of(p);
    return x.isAbsolute() ? x : base.resolve(x).normalize();
  }
}
