package dev.warden.gateway.screening;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warden.detectors.digest.Tensor;
import dev.warden.detectors.onnx.ArtifactGate;
import dev.warden.detectors.onnx.OnnxScoreDetector;
import dev.warden.detectors.onnx.OnnxScorer;
import dev.warden.detectors.screen.Detector;
import dev.warden.detectors.screen.ScreenInput;
import dev.warden.detectors.text.OnnxTextClassifier;
import dev.warden.detectors.text.PromptInjectionClassifier;
import dev.warden.detectors.text.TextDetectors;
import dev.warden.gateway.trust.ModelTrust;
import dev.warden.policies.Specs;
import dev.warden.policies.Specs.DetectorArtifact;
import dev.warden.verifier.ModelVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Operator detector models (screening entries with {@code model}): loaded only after their OpenSSF
 * model-signing signature verifies under the entry's authority, through the verifier and the
 * detectors module's {@link ArtifactGate} (which re-reads the files and refuses them if they changed
 * while they were verified). Every policy load and reload verifies again; a model that does not
 * verify is a policy problem at the entry, so the policy is refused (the last good one stays on a
 * reload) and the route is never served without its screen.
 *
 * <p>Kinds: {@code score} (an FP32 tensor in, {@code output.index} of {@code output.name} out, with
 * optional reshape, normalisation and softmax/sigmoid), {@code text-classifier} (a directory with the
 * ONNX file and a WordLevel/WordPiece {@code tokenizer.json}; the score is a named label's softmax),
 * and {@code prompt-injection} with {@code model} (the project's hashed n-gram classifier, e.g. the one
 * {@code warden demo} trains and signs). Loaded detectors are kept per (settings, file digests), so a
 * reload with unchanged files reuses the ONNX sessions.
 */
final class SignedDetectors implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SignedDetectors.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A detector ready to register, with the threshold its policy entry sets. */
  record Loaded(String name, Detector detector) {}

  private final Map<String, Detector> cache = new ConcurrentHashMap<>();

  /** The detector name a screening entry with a model registers under. */
  static String nameOf(JsonNode screen, DetectorArtifact a) {
    if (screen.has("name")) {
      return screen.get("name").asText();
    }
    if (screen.path("type").asText().equals("prompt-injection")) {
      return "prompt-injection";
    }
    String file = a.model().getFileName().toString();
    return file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
  }

  /**
   * Verifies and loads the model of {@code screen}.
   *
   * @throws SecurityException if the signature does not verify (the message says why)
   * @throws IllegalArgumentException if the settings do not fit the model
   */
  Loaded load(JsonNode screen, DetectorArtifact a) throws Exception {
    String name = nameOf(screen, a);
    String type = screen.path("type").asText();
    boolean text = screen.path("kind").asText("score").equals("text-classifier");
    boolean dir = Files.isDirectory(a.model());
    String fileName = screen.path("modelFile").asText("model.onnx");
    if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")
        || a.model().resolve(fileName).equals(a.signature())) {
      // a hidden or nested name could fall under the hasher's default ignores, and the bundle is not hashed
      throw new IllegalArgumentException("modelFile must be a plain file name in the model directory, not '" + fileName + "'");
    }
    Path modelFile = dir ? a.model().resolve(fileName) : a.model();
    List<Path> files = new ArrayList<>(List.of(modelFile));
    if (text) {
      if (!dir) {
        throw new IllegalArgumentException("a text-classifier model must be a directory holding the ONNX file and tokenizer.json");
      }
      files.add(a.model().resolve("tokenizer.json"));
      if (!screen.path("output").has("labels") && screen.path("output").has("label")) {
        files.add(a.model().resolve("config.json"));
      }
    }
    List<byte[]> bytes = gate(a).readAdmitted(a.model(), files);
    String key = name + '\u0000' + screen + '\u0000' + digest(bytes);
    Detector cached = cache.get(key);
    if (cached != null) {
      return new Loaded(name, cached);
    }
    Detector d;
    if (type.equals("prompt-injection")) {
      d = TextDetectors.promptInjection(PromptInjectionClassifier.fromOnnx(bytes.get(0)));
    } else if (text) {
      d = textClassifier(name, screen, bytes);
    } else {
      d = scorer(name, screen, bytes.get(0));
    }
    warmUp(d);
    cache.put(key, d);
    LOG.info("detector " + name + " loaded from " + a.model() + " (signature verified)");
    return new Loaded(name, d);
  }

  /**
   * For {@code policy check}: verifies the signature of {@code a} as serving would, without loading the
   * model. A policy is often checked away from the machine it serves on; when the model, its signature or
   * the authority's key, chain or trusted root is not here, nothing can be said (and {@code --check-files}
   * reports the missing file).
   *
   * @return why serving would refuse the model, or empty if it verifies or its trust material is not here
   */
  static Optional<String> checkSignature(DetectorArtifact a) {
    List<Path> needed = new ArrayList<>(List.of(a.model(), a.signature()));
    if (a.authority() instanceof Specs.KeyAuthority k) {
      needed.add(k.publicKey());
    } else if (a.authority() instanceof Specs.CertificateAuthority c) {
      needed.addAll(c.chain());
    } else if (a.authority() instanceof Specs.KeylessAuthority k) {
      needed.add(k.trustedRoot());
    }
    if (!needed.stream().allMatch(Files::isReadable)) {
      return Optional.empty();
    }
    try {
      gate(a).admit(a.model());
      return Optional.empty();
    } catch (Exception e) {
      return Optional.of("detector model " + a.model().getFileName() + " refused: " + e.getMessage());
    }
  }

  /** A gate that passes only if the model verifies against its signature under its authority. */
  static ArtifactGate gate(DetectorArtifact a) {
    return root -> ModelVerifier.builder(ModelTrust.authority(a.authority()).build()).build().verify(root, a.signature());
  }

  private static Detector scorer(String name, JsonNode screen, byte[] model) throws Exception {
    if (!screen.path("params").has("threshold")) {
      throw new IllegalArgumentException("an operator detector needs params.threshold (no calibration data here)");
    }
    JsonNode in = screen.path("input");
    JsonNode out = screen.path("output");
    long[] shape = null;
    if (in.has("shape")) {
      shape = new long[in.get("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = in.get("shape").get(i).asLong();
      }
    }
    OnnxScorer.Spec spec = new OnnxScorer.Spec(in.path("name").asText("input"), shape, (float) in.path("mean").asDouble(0),
        (float) in.path("std").asDouble(1), out.path("name").asText("score"), out.path("index").asInt(0),
        OnnxScorer.Activation.valueOf(out.path("activation").asText("none").toUpperCase(java.util.Locale.ROOT)));
    boolean inline = screen.path("inline").asBoolean(false);
    if (inline) {
      checkInline(shape, screen);
    }
    return new OnnxScoreDetector(name, OnnxScorer.fromBytes(model, spec), screen.path("params").get("threshold").asDouble(),
        inline);
  }

  /** Values per row an inline detector may take: the built-in 8x8 autoencoder scores in ~8 µs at 64. */
  private static final long MAX_INLINE_VALUES = 4096;

  /**
   * An inline detector runs on the event loop with no timeout, so the operator must bound its work: a fixed
   * row size (the batch dimension may be -1) that is small. The model's own cost is the operator's claim.
   */
  private static void checkInline(long[] shape, JsonNode screen) {
    if (screen.has("timeoutMs")) {
      throw new IllegalArgumentException("inline detectors run without a timeout: remove timeoutMs or inline");
    }
    if (shape == null) {
      throw new IllegalArgumentException("an inline detector needs input.shape (its work must be bounded)");
    }
    long values = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException("an inline detector needs a fixed input.shape after the batch dimension");
      }
      values *= shape[i];
    }
    if (values > MAX_INLINE_VALUES) {
      throw new IllegalArgumentException("an inline detector takes at most " + MAX_INLINE_VALUES + " values per row, "
          + "input.shape has " + values);
    }
  }

  private static Detector textClassifier(String name, JsonNode screen, List<byte[]> bytes) throws Exception {
    JsonNode in = screen.path("input");
    JsonNode out = screen.path("output");
    int index;
    if (out.has("label")) {
      List<String> labels = new ArrayList<>();
      if (out.has("labels")) {
        out.get("labels").forEach(l -> labels.add(l.asText()));
      } else {
        JsonNode id2label = JSON.readTree(bytes.get(2)).path("id2label");
        for (int i = 0; id2label.has(Integer.toString(i)); i++) {
          labels.add(id2label.get(Integer.toString(i)).asText());
        }
      }
      index = labels.indexOf(out.get("label").asText());
      if (index < 0) {
        throw new IllegalArgumentException("label '" + out.get("label").asText() + "' is not among the model's labels " + labels);
      }
    } else if (out.has("index")) {
      index = out.get("index").asInt();
    } else {
      throw new IllegalArgumentException("a text-classifier needs output.label (or output.index)");
    }
    JsonNode mask = in.path("attentionMask");
    OnnxTextClassifier.Spec spec = new OnnxTextClassifier.Spec(name, in.path("name").asText("input_ids"),
        mask.isNull() ? null : mask.asText("attention_mask"), out.path("name").asText("logits"), index,
        in.path("maxLength").asInt(512), in.path("maxChunks").asInt(32), 0.5);
    return OnnxTextClassifier.fromBytes(bytes.get(0), bytes.get(1), spec);
  }

  /** Runs the detector a few times so the first request does not pay ONNX Runtime's first-call cost. */
  private static void warmUp(Detector d) {
    ScreenInput text = ScreenInput.ofText("warden-warm-up", "", "", "warming up the text screens");
    ScreenInput image = null;
    if (d instanceof OnnxScoreDetector s && s.inputWidth() > 0) {
      image = ScreenInput.ofTensors("warden-warm-up", "", "", List.of(Tensor.ofFloats("input",
          new long[] {1, s.inputWidth()}, new float[s.inputWidth()])));
    }
    ScreenInput in = d.accepts(text) ? text : image;
    for (int i = 0; in != null && i < 10; i++) {
      try {
        d.detect(in, d.defaultThreshold());
      } catch (Exception e) {
        return; // a failing detector shows up on real requests, with its onError
      }
    }
  }

  private static String digest(List<byte[]> files) throws NoSuchAlgorithmException {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] b : files) {
      md.update(MessageDigest.getInstance("SHA-256").digest(b));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Override
  public void close() {
    for (Detector d : cache.values()) {
      if (d instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // shutting down: nothing more to do
        }
      }
    }
    cache.clear();
  }
}
