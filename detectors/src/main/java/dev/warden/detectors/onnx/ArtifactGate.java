package dev.warden.detectors.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a detector model file (or directory) may be loaded. The gateway passes one backed
 * by the verifier (the model's signature must verify), so detector models are trusted artifacts
 * like served models; this module does not depend on the verifier. {@link #NONE} admits everything
 * and is meant for tests and for models built in process.
 *
 * <h2>Security guarantees</h2>
 * {@link OnnxScorer#load} and {@link #readAdmitted} call {@link #admit} on the exact path they read;
 * a throwing gate means the model is never loaded. {@link #readAdmitted} reads the files before
 * and after the gate and refuses them if they changed in between, so the bytes used are the bytes
 * the gate looked at (short of a file swapped and swapped back within one verification).
 */
@FunctionalInterface
public interface ArtifactGate {
  /** Admits everything: only for tests and in-process models (the name says so on purpose). */
  ArtifactGate NONE = p -> { };

  /**
   * Returns normally if {@code model} may be loaded.
   *
   * @throws Exception (e.g. a verification failure) if not
   */
  void admit(Path model) throws Exception;

  /**
   * Reads {@code files} (each inside or equal to {@code root}) after the gate admits {@code root}.
   *
   * @return the files' bytes, in order
   * @throws SecurityException if the gate refuses, a file lies outside {@code root}, or a file changed
   *     while the gate looked at it
   */
  default List<byte[]> readAdmitted(Path root, List<Path> files) throws IOException {
    Path top = root.toAbsolutePath().normalize();
    List<byte[]> before = new ArrayList<>();
    for (Path f : files) {
      if (!f.toAbsolutePath().normalize().startsWith(top)) {
        throw new SecurityException("detector file " + f + " lies outside the signed " + root);
      }
      before.add(Files.readAllBytes(f));
    }
    try {
      admit(root);
    } catch (Exception e) {
      throw new SecurityException("detector model " + root.getFileName() + " refused: " + e.getMessage(), e);
    }
    for (int i = 0; i < files.size(); i++) {
      if (!MessageDigest.isEqual(before.get(i), Files.readAllBytes(files.get(i)))) {
        throw new SecurityException("detector model file " + files.get(i).getFileName() + " changed while it was verified");
      }
    }
    return before;
  }
}
