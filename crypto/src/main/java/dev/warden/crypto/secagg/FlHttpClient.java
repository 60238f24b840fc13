package dev.warden.crypto.secagg;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an organisation runs: drives one {@link SecAggClient} through a round over the gateway's
 * {@code /v1/fl/...} endpoints (see {@link RoundCoordinator} for the list). Request bodies and answers are
 * the library's canonical bytes ({@code application/octet-stream}); a GET for a phase that is still open is
 * answered {@code 425 Too Early} and retried every {@code pollInterval} until {@code maxWait}. Any other
 * error status ends the attempt with a {@link SecAggException} carrying the server's message.
 *
 * <h2>Security guarantees</h2>
 * Everything the server sends is checked by {@link SecAggClient} (signatures, context hash, survivor-set
 * consistency); the transport adds nothing to that and needs TLS only for confidentiality of metadata and
 * for the bearer token. The signing key never leaves this process.
 */
public final class FlHttpClient {
  private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"");
  private static final Pattern REASON = Pattern.compile("\"failureReason\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final URI base;
  private final String bearer;
  private final HttpClient http;
  private final Duration pollInterval;
  private final Duration maxWait;
  private final SecureRandom random;

  /** What happened in one participation. */
  public record Outcome(RoundConfig config, int index, String finalState, Optional<AggregateResult> result, long bytesSent, long bytesReceived) {}

  /**
   * @param baseUrl gateway base, e.g. {@code https://gw.example:8080}
   * @param bearerToken sent as {@code Authorization: Bearer ...}, or null
   */
  public FlHttpClient(URI baseUrl, String bearerToken, HttpClient http, Duration pollInterval, Duration maxWait, SecureRandom random) {
    this.base = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/");
    this.bearer = bearerToken;
    this.http = http;
    this.pollInterval = pollInterval;
    this.maxWait = maxWait;
    this.random = random;
  }

  /** GET /v1/fl/rounds/{id}: the round's configuration. */
  public RoundConfig fetchConfig(String roundId) {
    return RoundConfig.parse(get("v1/fl/rounds/" + roundId, false));
  }

  /** GET /v1/fl/rounds/{id}/status (JSON). */
  public String status(String roundId) {
    return new String(get("v1/fl/rounds/" + roundId + "/status", false), StandardCharsets.UTF_8);
  }

  /** GET /v1/fl/rounds/{id}/result, checked to belong to {@code cfg}. */
  public AggregateResult fetchResult(RoundConfig cfg) {
    return AggregateResult.parse(get("v1/fl/rounds/" + cfg.roundId() + "/result", true), cfg);
  }

  /**
   * Encodes {@code update} with the round's encoding (adding the round's DP noise if it has any) and
   * participates; see {@link #participate(String, String, SigningKey, java.util.function.Function, boolean)}.
   */
  public Outcome participate(String roundId, String memberName, SigningKey key, float[] update, double weight, boolean fetchResult) {
    return participate(roundId, memberName, key, cfg -> {
      FixedPointEncoding enc = cfg.encoding().orElseThrow(() -> new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "round " + roundId + " defines no encoding for real-valued updates"));
      if (enc.vectorLength(update.length) != cfg.vectorLength()) {
        throw new SecAggException(SecAggException.Code.INVALID_ARGUMENT, "update has " + update.length + " entries; round " + roundId + " expects " + enc.modelLength(cfg.vectorLength()));
      }
      long[] v = enc.weighted() ? enc.encode(update, weight, random) : enc.encode(update, random);
      return enc.clientNoiseSigma() > 0 ? DistributedDp.addNoise(v, enc, cfg.ring()) : v;
    }, fetchResult);
  }

  /**
   * Runs every phase for enrolled member {@code memberName}: fetch the config, advertise keys, share keys,
   * send the masked input, sign the survivor set, unmask; then wait for the round to end and, if asked,
   * fetch and verify the aggregate (left empty when this caller is not a reader: 403).
   */
  public Outcome participate(String roundId, String memberName, SigningKey key, java.util.function.Function<RoundConfig, long[]> input, boolean fetchResult) {
    long[] sent = {0};
    long[] recv = {0};
    RoundConfig cfg = fetchConfig(roundId);
    int i = cfg.indexOf(memberName).orElseThrow(() -> new SecAggException(SecAggException.Code.NOT_ENROLLED, memberName + " is not in the cohort of round " + roundId));
    SecAggClient c = SecAggClient.create(cfg, i, key, random);
    long[] vector = input.apply(cfg);
    String r = "v1/fl/rounds/" + roundId + "/";
    post(r + "advertise-keys", c.advertiseKeys(), sent);
    post(r + "share-keys", c.shareKeys(poll(r + "advertise-keys/" + i, recv)), sent);
    post(r + "masked-input", c.maskedInput(poll(r + "share-keys/" + i, recv), vector), sent);
    post(r + "consistency-check", c.consistencyCheck(poll(r + "consistency-check", recv)), sent);
    post(r + "unmask", c.unmask(poll(r + "unmask", recv)), sent);
    String state = awaitEnd(roundId);
    Optional<AggregateResult> result = Optional.empty();
    if (fetchResult && "COMPLETE".equals(state)) {
      try {
        byte[] b = get(r + "result", true);
        recv[0] += b.length;
        result = Optional.of(AggregateResult.parse(b, cfg));
      } catch (SecAggException e) {
        if (e.code() != SecAggException.Code.FORBIDDEN) throw e; // not a reader: the round still succeeded
      }
    }
    return new Outcome(cfg, i, state, result, sent[0], recv[0]);
  }

  /** Polls the status until COMPLETE or FAILED; returns the state. */
  public String awaitEnd(String roundId) {
    Instant until = Instant.now().plus(maxWait);
    while (true) {
      String json = status(roundId);
      Matcher m = STATE.matcher(json);
      String s = m.find() ? m.group(1) : "UNKNOWN";
      if (s.equals("COMPLETE")) return s;
      if (s.equals("FAILED")) {
        Matcher why = REASON.matcher(json);
        throw new SecAggException(SecAggException.Code.ROUND_FAILED, "round " + roundId + " failed: " + (why.find() ? why.group(1) : "no reason given"));
      }
      if (Instant.now().isAfter(until)) throw new SecAggException(SecAggException.Code.NOT_READY, "round " + roundId + " did not end within " + maxWait);
      sleep();
    }
  }

  private byte[] poll(String path, long[] recv) {
    byte[] b = get(path, true);
    recv[0] += b.length;
    return b;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
    if (bearer != null) b.header("Authorization", "Bearer " + bearer);
    return b;
  }

  private void post(String path, byte[] body, long[] sent) {
    sent[0] += body.length;
    HttpResponse<byte[]> res = send(request(path).header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    if (res.statusCode() / 100 != 2) throw failure("POST " + path, res);
  }

  /** GET; with {@code waitWhileOpen}, 425 answers are retried until {@code maxWait}. */
  private byte[] get(String path, boolean waitWhileOpen) {
    Instant until = Instant.now().plus(maxWait);
    while (true) {
      HttpResponse<byte[]> res = send(request(path).GET().build());
      if (res.statusCode() / 100 == 2) return res.body();
      if (waitWhileOpen && res.statusCode() == 425 && Instant.now().isBefore(until)) {
        sleep();
        continue;
      }
      throw failure("GET " + path, res);
    }
  }

  private HttpResponse<byte[]> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new SecAggException(SecAggException.Code.IO, req.method() + " " + req.uri() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecAggException(SecAggException.Code.IO, "interrupted", e);
    }
  }

  private static SecAggException failure(String what, HttpResponse<byte[]> res) {
    String body = new String(res.body(), StandardCharsets.UTF_8);
    if (body.length() > 500) body = body.substring(0, 500) + "…";
    SecAggException.Code code = switch (res.statusCode()) {
      case 401 -> SecAggException.Code.BAD_SIGNATURE;
      case 403 -> SecAggException.Code.FORBIDDEN;
      case 404 -> SecAggException.Code.NOT_FOUND;
      case 409 -> SecAggException.Code.WRONG_PHASE;
      case 410 -> SecAggException.Code.ROUND_FAILED;
      case 422 -> SecAggException.Code.MALFORMED;
      case 425 -> SecAggException.Code.NOT_READY;
      default -> SecAggException.Code.IO;
    };
    return new SecAggException(code, what + " answered " + res.statusCode() + ": " + body);
  }

  private void sleep() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SecAggException(SecAggException.Code.IO, "interrupted while waiting", e);
    }
  }
}
