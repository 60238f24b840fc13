package dev.warden.verifier;

import dev.warden.verifier.VerificationException.Reason;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingException;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.Manifest;
import dev.warden.verifier.hashing.ModelHasher;
import dev.warden.verifier.hashing.StatCache;
import dev.warden.verifier.oms.InTotoStatement;
import dev.warden.verifier.oms.SigstoreBundle;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies a model directory (or single file) against an OpenSSF model-signing bundle.
 *
 * <h2>Security guarantees</h2>
 * {@link #verify} returns a {@link VerifiedModel} only if (1) the bundle is a well-formed Sigstore v0.3
 * bundle within the size bound, with one DSSE signature over an {@code application/vnd.in-toto+json}
 * payload, (2) the {@link SignatureAuthority} accepts the signature, (3) the payload is a model-signing
 * statement whose subject digest is the root digest of its resources, with safe, unique resource names,
 * and (4) the tree hashed now has exactly the signed resources and digests: a changed, added, removed or
 * renamed file fails (an added file passes only with {@code ignoreUnsignedFiles}). Hashing never
 * follows a symlink out of the tree and fails on a file modified while it is read. Otherwise it throws a
 * {@link VerificationException} whose reason and message name the cause. Not guaranteed: that the files
 * are not changed after {@code verify} returns (re-verify, see {@code ModelTrustRegistry}), or anything
 * about ignored paths.
 *
 * <p>Thread-safe and reusable; the {@link ModelHasher} is shared.
 */
public final class ModelVerifier {
  private final SignatureAuthority authority;
  private final List<String> ignorePaths;
  private final boolean ignoreUnsignedFiles;
  private final ModelHasher hasher;
  private final long maxBundleBytes;

  private ModelVerifier(Builder b) {
    this.authority = b.authority;
    this.ignorePaths = List.copyOf(b.ignorePaths);
    this.ignoreUnsignedFiles = b.ignoreUnsignedFiles;
    this.hasher = b.hasher;
    this.maxBundleBytes = b.maxBundleBytes;
  }

  /** A builder for a verifier trusting {@code authority}. */
  public static Builder builder(SignatureAuthority authority) {
    return new Builder(authority);
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private final SignatureAuthority authority;
    private final List<String> ignorePaths = new ArrayList<>();
    private boolean ignoreUnsignedFiles;
    private ModelHasher hasher;
    private long maxBundleBytes = SigstoreBundle.DEFAULT_MAX_BYTES;

    private Builder(SignatureAuthority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
    }

    /** More paths to ignore, relative to the model root. */
    public Builder ignorePaths(List<String> paths) {
      ignorePaths.addAll(paths);
      return this;
    }

    /** Accept files present on disk but absent from the signature (never missing or changed ones). */
    public Builder ignoreUnsignedFiles(boolean v) {
      ignoreUnsignedFiles = v;
      return this;
    }

    /** The hasher (thread pool) to use; default: a shared one sized to the cores. */
    public Builder hasher(ModelHasher h) {
      hasher = h;
      return this;
    }

    /** Largest accepted bundle, in bytes (default {@link SigstoreBundle#DEFAULT_MAX_BYTES}). */
    public Builder maxBundleBytes(long n) {
      maxBundleBytes = n;
      return this;
    }

    public ModelVerifier build() {
      if (hasher == null) {
        hasher = SharedHasher.get();
      }
      return new ModelVerifier(this);
    }
  }

  /** Verifies {@code model} against {@code signature}. */
  public VerifiedModel verify(Path model, Path signature) throws VerificationException {
    return verify(model, signature, HashProgress.NONE, null);
  }

  /**
   * Verifies {@code model} against {@code signature}.
   *
   * @param progress hashing progress (called from hashing threads)
   * @param cache when non-null, files with unchanged stat data are not re-read (see {@link StatCache})
   */
  public VerifiedModel verify(Path model, Path signature, HashProgress progress, StatCache cache)
      throws VerificationException {
    long t0 = System.nanoTime();
    byte[] raw = SigstoreBundle.readBounded(signature, maxBundleBytes);
    SigstoreBundle bundle = SigstoreBundle.parse(raw);
    if (!InTotoStatement.PAYLOAD_TYPE.equals(bundle.payloadType())) {
      throw new VerificationException(Reason.WRONG_PAYLOAD_TYPE, "DSSE payload type is '" + bundle.payloadType()
          + "', expected " + InTotoStatement.PAYLOAD_TYPE);
    }
    InTotoStatement.Decoded statement = InTotoStatement.decode(bundle.payload());
    SignerInfo signer = authority.authenticate(bundle, raw, statement.rootDigest());
    Manifest expected = statement.manifest();

    HashingOptions options = expected.serialization();
    List<String> extraIgnores = new ArrayList<>(HashingOptions.DEFAULT_IGNORES);
    try {
      for (String p : ignorePaths) {
        extraIgnores.add(p);
      }
      String sigRel = relativeInside(model, signature);
      if (sigRel != null) {
        extraIgnores.add(sigRel);
      }
      options = options.withIgnorePaths(extraIgnores);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Reason.UNSAFE_PATH, e.getMessage());
    }
    Set<String> only = ignoreUnsignedFiles ? new HashSet<>(expected.filePaths()) : null;
    ModelHasher.Result actual;
    try {
      actual = hasher.hash(model, options, only, cache, progress);
    } catch (HashingException e) {
      throw new VerificationException(switch (e.kind()) {
        case SYMLINK_REFUSED, SYMLINK_ESCAPES -> Reason.SYMLINK_REFUSED;
        case MODIFIED_WHILE_HASHED -> Reason.MODIFIED_WHILE_HASHED;
        default -> Reason.IO_ERROR;
      }, e.getMessage(), e);
    } catch (IOException e) {
      throw new VerificationException(Reason.IO_ERROR, "cannot hash " + model + ": " + e.getMessage(), e);
    }
    Manifest.Diff diff = expected.diff(actual.manifest());
    if (!diff.isEmpty()) {
      throw new VerificationException(Reason.MANIFEST_MISMATCH, "model does not match its signature: " + diff.describe());
    }
    return new VerifiedModel(statement.subjectName(), statement.rootDigestHex(), signer, statement.predicateType(),
        options.method().wireName(), actual.files(), actual.bytes(), actual.bytesRead(),
        Duration.ofNanos(System.nanoTime() - t0));
  }

  /** The signature's path relative to the model root when it lies inside it, else null. */
  static String relativeInside(Path model, Path file) {
    Path m = model.toAbsolutePath().normalize();
    Path f = file.toAbsolutePath().normalize();
    if (!f.startsWith(m) || f.equals(m)) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (Path seg : m.relativize(f)) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(seg);
    }
    return sb.toString();
  }

  public SignatureAuthority authority() {
    return authority;
  }

  /** One lazily created hasher for callers that do not bring their own. */
  static final class SharedHasher {
    private static volatile ModelHasher instance;

    static ModelHasher get() {
      ModelHasher h = instance;
      if (h == null) {
        synchronized (SharedHasher.class) {
          if (instance == null) {
            instance = new ModelHasher();
          }
          h = instance;
        }
      }
      return h;
    }
  }
}
