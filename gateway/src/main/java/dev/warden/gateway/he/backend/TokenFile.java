package dev.warden.gateway.he.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * A bearer-token file shared by the gateway and the HE backend, re-read when it changes, so a rotated
 * Kubernetes Secret (the kubelet swaps the file under the mount) takes effect without a restart or a
 * policy reload. A broken new version is refused and the last good tokens stay in use (logged once per
 * version, never with the token).
 *
 * <p>The file holds one token per line. The gateway presents the first; the backend accepts any of
 * them, which is how a token is rotated without a window of refusals: add the new token as a second line
 * on the backend's side, switch the gateway's file to the new token, then drop the old line.
 *
 * <p>Costs one {@code stat} per use: meant for the HE route (milliseconds per request), not a hot path.
 */
public final class TokenFile {
  private static final Logger LOG = Logger.getLogger(TokenFile.class.getName());

  /** What the file held at one version (modification time, size and inode). */
  private record Version(Object stamp, List<String> tokens) {}

  private final Path file;
  private volatile Version current;
  private volatile Object refusedStamp;

  private TokenFile(Path file, Version first) {
    this.file = file;
    this.current = first;
  }

  /** Reads the file now; fails naming the file when it is missing or holds no usable token. */
  public static TokenFile open(Path file) throws IOException {
    Object stamp = stamp(file);
    return new TokenFile(file, new Version(stamp, read(file)));
  }

  /** The token to present (the first line). */
  public String token() {
    return fresh().tokens().get(0);
  }

  /** Every token the file currently lists. */
  public List<String> tokens() {
    return fresh().tokens();
  }

  public Path path() {
    return file;
  }

  private Version fresh() {
    Version v = current;
    Object stamp;
    try {
      stamp = stamp(file);
    } catch (IOException e) {
      warnOnce("missing", "HE token file " + file + " cannot be read (" + e.getClass().getSimpleName()
          + "): keeping the last good token");
      return v;
    }
    if (stamp.equals(v.stamp()) || stamp.equals(refusedStamp)) {
      return v;
    }
    try {
      Version next = new Version(stamp, read(file));
      current = next;
      LOG.info("HE token file " + file + " changed: re-read (" + next.tokens().size() + " token(s))");
      return next;
    } catch (IOException e) {
      warnOnce(stamp, e.getMessage() + ": keeping the last good token");
      return v;
    }
  }

  private void warnOnce(Object stamp, String message) {
    if (!Objects.equals(refusedStamp, stamp)) {
      refusedStamp = stamp;
      LOG.warning(message);
    }
  }

  private static Object stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return List.of(a.lastModifiedTime(), a.size(), Objects.requireNonNullElse(a.fileKey(), ""));
  }

  /** One token per non-blank line, each at least {@link CallerAuth#MIN_TOKEN_CHARS} printable characters. */
  static List<String> read(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    int line = 0;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      line++;
      String t = raw.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (t.length() < CallerAuth.MIN_TOKEN_CHARS || t.chars().anyMatch(c -> c <= ' ' || c > '~')) {
        throw new IOException("HE backend token file " + file + ":" + line + ": a token must be one word of at least "
            + CallerAuth.MIN_TOKEN_CHARS + " printable characters");
      }
      out.add(t);
    }
    if (out.isEmpty()) {
      throw new IOException("HE backend token file " + file + " holds no token");
    }
    return List.copyOf(out);
  }
}
