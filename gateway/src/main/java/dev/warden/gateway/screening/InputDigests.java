package dev.warden.gateway.screening;

import dev.warden.detectors.digest.DigestKey;
import dev.warden.detectors.digest.InputDigest;
import dev.warden.detectors.digest.InputDigester;
import dev.warden.detectors.digest.Tensor;
import dev.warden.gateway.pipeline.Exchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 5's digest: the canonical HMAC-SHA-256 of a request's input (see {@link InputDigester}) under a
 * key kept in the state directory ({@code input-digest.key}, created with mode 0600 on first use). The
 * key is stable across restarts so deny-lists and the privacy response cache keep meaning the same
 * inputs; it is secret so nobody outside can tell which inputs a digest in an audit record stands for.
 */
public final class InputDigests {
  /** The exchange slot holding the digest once computed. */
  public static final Exchange.Key<InputDigest> DIGEST = new Exchange.Key<>("input-digest");

  private final InputDigester digester;

  private InputDigests(InputDigester digester) {
    this.digester = digester;
  }

  /** Loads (or creates) the key in {@code stateDir}. */
  public static InputDigests inStateDir(Path stateDir) {
    Path keyFile = stateDir.resolve("input-digest.key");
    try {
      Files.createDirectories(stateDir);
      if (!Files.exists(keyFile)) {
        byte[] raw = new byte[DigestKey.MIN_BYTES];
        new java.security.SecureRandom().nextBytes(raw);
        Files.write(keyFile, raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
          Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not POSIX
        }
      }
      return new InputDigests(new InputDigester(DigestKey.fromBytes(Files.readAllBytes(keyFile))));
    } catch (IOException e) {
      throw new UncheckedIOException("input digest key " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /** The digest of the exchange's input (computed once, kept in the exchange), or null without input. */
  public InputDigest of(Exchange ex) {
    InputDigest d = ex.get(DIGEST);
    if (d != null) {
      return d;
    }
    List<Tensor> tensors = tensors(ex);
    if (tensors == null) {
      return null;
    }
    d = digester.digest(ex.model(), ex.modelVersion(), tensors);
    ex.put(DIGEST, d);
    ex.inputDigest(d.hex());
    return d;
  }

  /** The exchange's input in the detectors' tensor model, or null when it has none. */
  static List<Tensor> tensors(Exchange ex) {
    if (ex.inference() != null) {
      List<Tensor> out = new ArrayList<>();
      for (dev.warden.gateway.protocol.Tensor t : ex.inference().tensors()) {
        out.add(Tensor.fromBinary(t.name(), t.datatype(), t.shape(), t.data()));
      }
      return out;
    }
    if (ex.chat() != null) {
      List<String> texts = ex.chat().texts();
      return List.of(Tensor.ofStrings("messages", new long[] {texts.size()}, texts));
    }
    return null;
  }
}
