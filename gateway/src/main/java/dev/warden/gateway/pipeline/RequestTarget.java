package dev.warden.gateway.pipeline;

import io.vertx.core.http.HttpMethod;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * What a request path addresses: endpoint, model and version. Parsing is by hand (no regex) since
 * it runs for every request; model names are URL-decoded and must be plain names.
 */
public record RequestTarget(Endpoint endpoint, String model, String version) {

  /** Parses a path (without query); null when the gateway serves nothing there. */
  public static RequestTarget parse(HttpMethod method, String path) {
    if (path.startsWith("/v2/")) {
      return oip(method, path.substring(4));
    }
    if (path.equals("/v2") || path.equals("/v2/")) {
      return method == HttpMethod.GET ? new RequestTarget(Endpoint.OIP_SERVER_METADATA, null, null) : null;
    }
    if (path.equals("/v1/chat/completions")) {
      return method == HttpMethod.POST ? new RequestTarget(Endpoint.OPENAI_CHAT, null, null) : null;
    }
    if (path.equals("/v1/models")) {
      return method == HttpMethod.GET ? new RequestTarget(Endpoint.OPENAI_MODELS, null, null) : null;
    }
    if (path.startsWith("/v1/fl/")) {
      return new RequestTarget(Endpoint.FL_ROUNDS, null, null);
    }
    if (path.startsWith("/v1/models/")) {
      return tf(method, path.substring("/v1/models/".length()));
    }
    return null;
  }

  private static RequestTarget oip(HttpMethod method, String rest) {
    if (rest.equals("health/live") || rest.equals("health/ready")) {
      return method == HttpMethod.GET ? new RequestTarget(Endpoint.OIP_HEALTH, null, rest.substring(7)) : null;
    }
    if (!rest.startsWith("models/")) {
      return null;
    }
    String[] parts = rest.substring(7).split("/", -1);
    // m | m/ready | m/infer | m/versions/v | m/versions/v/ready | m/versions/v/infer
    String model = name(parts[0]);
    if (model == null) {
      return null;
    }
    String version = null;
    int i = 1;
    if (parts.length >= 3 && parts[1].equals("versions")) {
      version = name(parts[2]);
      if (version == null) {
        return null;
      }
      i = 3;
    }
    if (parts.length == i) {
      return method == HttpMethod.GET ? new RequestTarget(Endpoint.OIP_MODEL_METADATA, model, version) : null;
    }
    if (parts.length == i + 1) {
      if (parts[i].equals("infer")) {
        return method == HttpMethod.POST ? new RequestTarget(Endpoint.OIP_INFER, model, version) : null;
      }
      if (parts[i].equals("ready")) {
        return method == HttpMethod.GET ? new RequestTarget(Endpoint.OIP_MODEL_READY, model, version) : null;
      }
    }
    return null;
  }

  private static RequestTarget tf(HttpMethod method, String rest) {
    boolean predict = rest.endsWith(":predict");
    if (predict) {
      rest = rest.substring(0, rest.length() - ":predict".length());
    }
    String[] parts = rest.split("/", -1);
    String model = name(parts[0]);
    String version = null;
    if (model == null) {
      return null;
    }
    if (parts.length == 3 && parts[1].equals("versions")) {
      version = name(parts[2]);
      if (version == null) {
        return null;
      }
    } else if (parts.length != 1) {
      return null;
    }
    if (predict) {
      return method == HttpMethod.POST ? new RequestTarget(Endpoint.TF_PREDICT, model, version) : null;
    }
    return method == HttpMethod.GET ? new RequestTarget(Endpoint.TF_MODEL_STATUS, model, version) : null;
  }

  private static String name(String raw) {
    if (raw.isEmpty()) {
      return null;
    }
    String s = raw.indexOf('%') >= 0 ? URLDecoder.decode(raw, StandardCharsets.UTF_8) : raw;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return null;
      }
    }
    return s.equals(".") || s.equals("..") ? null : s;
  }
}
