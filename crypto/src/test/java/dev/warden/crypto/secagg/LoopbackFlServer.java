package dev.warden.crypto.secagg;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only reference wiring of {@link RoundCoordinator} to HTTP (JDK HttpServer on loopback): one route per
 * coordinator method, error codes mapped as the gateway should. The bearer token is taken as the principal.
 */
final class LoopbackFlServer implements AutoCloseable {
  private static final Pattern ROUTE = Pattern.compile("^/v1/fl/rounds/([A-Za-z0-9._-]+)(?:/([a-z-]+)(?:/(\\d+))?)?$");
  private final HttpServer server;
  private final RoundCoordinator co;

  LoopbackFlServer(RoundCoordinator co) throws IOException {
    this.co = co;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/fl/rounds/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      Matcher m = ROUTE.matcher(ex.getRequestURI().getPath());
      if (!m.matches()) {
        reply(ex, 404, "{\"error\":\"no such route\",\"code\":\"not_found\"}".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String id = m.group(1);
      String what = m.group(2);
      String client = m.group(3);
      boolean post = ex.getRequestMethod().equals("POST");
      byte[] body = ex.getRequestBody().readAllBytes();
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      String principal = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
      byte[] out;
      if (what == null) {
        out = co.roundConfig(id);
      } else if (post) {
        switch (what) {
          case "advertise-keys" -> co.submitAdvertisement(id, body);
          case "share-keys" -> co.submitShares(id, body);
          case "masked-input" -> co.submitMaskedInput(id, body);
          case "consistency-check" -> co.submitConsistencyCheck(id, body);
          case "unmask" -> co.submitUnmask(id, body);
          default -> throw new SecAggException(SecAggException.Code.NOT_FOUND, "no such phase " + what);
        }
        out = new byte[0];
      } else {
        out = switch (what) {
          case "status" -> co.status(id).toJson().getBytes(StandardCharsets.UTF_8);
          case "advertise-keys" -> co.advertisements(id, Integer.parseInt(client));
          case "share-keys" -> co.shares(id, Integer.parseInt(client));
          case "consistency-check" -> co.consistencyRequest(id);
          case "unmask" -> co.unmaskRequest(id);
          case "result" -> co.result(id, principal);
          default -> throw new SecAggException(SecAggException.Code.NOT_FOUND, "no such resource " + what);
        };
      }
      reply(ex, out.length == 0 ? 204 : 200, out);
    } catch (SecAggException e) {
      String json = "{\"error\":" + RoundStatusJson.q(e.getMessage()) + ",\"code\":\"" + e.code().name().toLowerCase() + "\"}";
      reply(ex, e.code().httpStatus(), json.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      reply(ex, 500, ("{\"error\":\"internal\",\"code\":\"internal\"}").getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  /** JSON string quoting. */
  static final class RoundStatusJson {
    static String q(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
  }
}
