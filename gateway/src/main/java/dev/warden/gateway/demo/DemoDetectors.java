package dev.warden.gateway.demo;

import dev.warden.detectors.StandardDetectors;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo's own detector models as signed artifacts, like the demo model: on the first run the
 * MagNet autoencoder (threshold folded in) and the prompt-injection classifier are trained, written
 * under {@code detectors/} and signed with the demo's model-signing key; the demo policy names those
 * files, so the gateway loads them only through the verified path. Later runs reuse the files (no
 * training at start); a tampered file makes the policy fail to load.
 */
final class DemoDetectors {
  /** Folder of the autoencoder (model.onnx, model.sig), relative to the demo folder. */
  static final String AUTOENCODER = "detectors/autoencoder";
  /** Folder of the injection classifier (model.onnx, model.sig). */
  static final String PROMPT_INJECTION = "detectors/prompt-injection";

  private DemoDetectors() {}

  /** Trains, writes and signs whichever of the two is missing. */
  static void prepare(Path demoDir, Path signingKey) throws IOException, VerificationException {
    Path ae = Files.createDirectories(demoDir.resolve(AUTOENCODER));
    if (!Files.exists(ae.resolve("model.onnx"))) {
      try {
        Files.write(ae.resolve("model.onnx"),
            StandardDetectors.calibratedAutoencoderOnnx(StandardDetectors.Options.digitsDemo()));
      } catch (ai.onnxruntime.OrtException e) {
        throw new IOException("cannot calibrate the demo autoencoder: " + e.getMessage(), e);
      }
      Files.deleteIfExists(ae.resolve("model.sig"));
    }
    Path pi = Files.createDirectories(demoDir.resolve(PROMPT_INJECTION));
    if (!Files.exists(pi.resolve("model.onnx"))) {
      Files.write(pi.resolve("model.onnx"), StandardDetectors.injectionClassifierOnnx());
      Files.deleteIfExists(pi.resolve("model.sig"));
    }
    for (Path d : new Path[] {ae, pi}) {
      if (!Files.exists(d.resolve("model.sig"))) {
        try (ModelHasher hasher = new ModelHasher()) {
          ModelSigner.withKey(Pem.readPrivateKey(signingKey, null), hasher)
              .sign(d, d.resolve("model.sig"), HashingOptions.files(), HashProgress.NONE);
        }
      }
    }
  }
}
