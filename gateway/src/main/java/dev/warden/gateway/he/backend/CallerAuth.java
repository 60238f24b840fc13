package dev.warden.gateway.he.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who may call the HE backend. The backend burns CPU on every query and holds tenants' evaluation
 * keys, so it serves only the gateway(s): callers present {@code Authorization: Bearer <token>} (the
 * token shared through a file on both sides), and/or a TLS client certificate chaining to
 * {@link Tls#clientCa()} (the handshake fails without one).
 *
 * <h2>Security guarantees</h2>
 * The presented token is compared with each expected one in constant time (SHA-256 of both, then
 * {@link MessageDigest#isEqual}, every listed token compared), so neither its content nor its length
 * leaks through timing. The token is never logged. {@link #none()} checks nothing: for tests and
 * loopback experiments only. With {@link #tokenFile(TokenFile)} the expected tokens follow the file
 * (re-read when it changes; several lines accepted during a rotation).
 */
public final class CallerAuth {
  /** Shortest accepted token: 16 characters (the generated ones are 43). */
  public static final int MIN_TOKEN_CHARS = 16;

  /** TLS of the backend's listener: its certificate and key, and the CA client certificates must chain to. */
  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCa) {}

  /** The accepted tokens now, or null when no token is required. */
  private final Supplier<List<String>> tokens;
  private final Tls tls;
  /** SHA-256 of each accepted token, for the list they were computed from (a token file keeps its list until it changes). */
  private volatile Hashed hashed;

  private record Hashed(List<String> of, List<byte[]> hashes) {}

  private CallerAuth(Supplier<List<String>> tokens, Tls tls) {
    this.tokens = tokens;
    this.tls = tls;
  }

  /** No caller authentication (tests, loopback experiments). */
  public static CallerAuth none() {
    return new CallerAuth(null, null);
  }

  /** Callers must present this bearer token. */
  public static CallerAuth token(String token) {
    if (token == null || token.length() < MIN_TOKEN_CHARS) {
      throw new IllegalArgumentException("the HE backend token must have at least " + MIN_TOKEN_CHARS + " characters");
    }
    List<String> fixed = List.of(token);
    return new CallerAuth(() -> fixed, null);
  }

  /** Callers must present one of the tokens the file lists at the time of the request. */
  public static CallerAuth tokenFile(TokenFile file) {
    return new CallerAuth(file::tokens, null);
  }

  /** The same checks, served over TLS (with client certificates required when {@code tls.clientCa} is set). */
  public CallerAuth withTls(Tls t) {
    return new CallerAuth(tokens, t);
  }

  /** True when the caller must prove something (a token or a client certificate). */
  public boolean required() {
    return tokens != null || (tls != null && tls.clientCa().isPresent());
  }

  /** The listener's TLS settings, or null for plain HTTP. */
  public Tls tls() {
    return tls;
  }

  /** Whether an {@code Authorization} header value is acceptable (always true without a token). */
  public boolean permits(String authorization) {
    if (tokens == null) {
      return true;
    }
    String presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).strip() : "";
    byte[] p = sha256(presented);
    boolean ok = false;
    for (byte[] h : expectedHashes()) {
      ok |= MessageDigest.isEqual(h, p); // no early exit: every listed token costs the same
    }
    return ok;
  }

  private List<byte[]> expectedHashes() {
    List<String> now = tokens.get();
    Hashed h = hashed;
    if (h == null || h.of() != now) {
      h = new Hashed(now, now.stream().map(CallerAuth::sha256).toList());
      hashed = h;
    }
    return h.hashes();
  }

  /** The first token of a token file (see {@link TokenFile}); names the file and line when it is unusable. */
  public static String readToken(Path file) throws IOException {
    return TokenFile.read(file).get(0);
  }

  /** Writes a fresh random token (32 bytes, base64url) to {@code file}, mode 0600, unless it exists. */
  public static void createTokenFile(Path file, SecureRandom random) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n");
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // nothing to restrict
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "CallerAuth[token=" + (tokens != null) + ", tls=" + (tls != null) + "]";
  }
}
