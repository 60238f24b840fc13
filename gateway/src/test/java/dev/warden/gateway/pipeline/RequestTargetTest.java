package dev.warden.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(nullValues = "-", value = {
      "POST, /v2/models/m/infer,                 OIP_INFER,           m,      -",
      "POST, /v2/models/m/versions/3/infer,      OIP_INFER,           m,      3",
      "GET,  /v2/models/m,                       OIP_MODEL_METADATA,  m,      -",
      "GET,  /v2/models/m/versions/2,            OIP_MODEL_METADATA,  m,      2",
      "GET,  /v2/models/m/ready,                 OIP_MODEL_READY,     m,      -",
      "GET,  /v2/models/m/versions/2/ready,      OIP_MODEL_READY,     m,      2",
      "GET,  /v2/health/live,                    OIP_HEALTH,          -,      live",
      "GET,  /v2/health/ready,                   OIP_HEALTH,          -,      ready",
      "GET,  /v2,                                OIP_SERVER_METADATA, -,      -",
      "POST, /v1/models/m:predict,               TF_PREDICT,          m,      -",
      "POST, /v1/models/m/versions/7:predict,    TF_PREDICT,          m,      7",
      "GET,  /v1/models/m,                       TF_MODEL_STATUS,     m,      -",
      "POST, /v1/chat/completions,               OPENAI_CHAT,         -,      -",
      "GET,  /v1/models,                         OPENAI_MODELS,       -,      -",
      "POST, /v2/models/my%2Dmodel.v1_x/infer,   OIP_INFER,           my-model.v1_x, -",
  })
  void knownPaths_parseToEndpointModelAndVersion(String method, String path, Endpoint endpoint, String model,
      String version) {
    RequestTarget t = RequestTarget.parse(HttpMethod.valueOf(method), path);
    assertEquals(new RequestTarget(endpoint, model, version), t);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/", "/v3/models/m/infer", "/v2/models//infer", "/v2/models/m/infer/extra", "/v2/models/../infer",
      "/v2/models/%2E%2E/infer", "/v2/models/a%2Fb/infer", "/v2/models/m/versions//infer", "/v2/models/m%00/infer",
      "/v1/models/m:explain", "/v1/models/a/b:predict", "/v1/chat/completion", "/v2/models/m/outfer"})
  void unknownOrUnsafePaths_areNotServed(String path) {
    assertNull(RequestTarget.parse(HttpMethod.POST, path));
    assertNull(RequestTarget.parse(HttpMethod.GET, path));
  }

  @ParameterizedTest
  @CsvSource({"GET, /v2/models/m/infer", "POST, /v2/models/m/ready", "GET, /v1/chat/completions",
      "POST, /v1/models", "DELETE, /v2/models/m/infer", "GET, /v1/models/m:predict"})
  void wrongMethod_isNotServed(String method, String path) {
    assertNull(RequestTarget.parse(HttpMethod.valueOf(method), path));
  }
}
