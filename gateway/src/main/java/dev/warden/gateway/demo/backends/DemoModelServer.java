package dev.warden.gateway.demo.backends;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.detectors.digest.DataType;
import dev.warden.gateway.protocol.InferenceMessage;
import dev.warden.gateway.protocol.MalformedInputException;
import dev.warden.gateway.protocol.OipCodec;
import dev.warden.gateway.protocol.RequestedOutputs;
import dev.warden.gateway.protocol.Tensor;
import dev.warden.gateway.protocol.TfCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A small model server for the demo and for tests: serves ONNX models with ONNX Runtime over the Open
 * Inference Protocol v2 REST API (JSON tensors and the binary tensor extension) and the TensorFlow-Serving
 * REST {@code :predict} API.
 *
 * <h2>Endpoints</h2>
 * <ul>
 *   <li>{@code GET /v2/health/live}, {@code GET /v2/health/ready}, {@code GET /v2} (server metadata)
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]} (model metadata: name, versions, platform
 *       {@code onnxruntime}, inputs and outputs with datatype and shape, -1 for a dynamic dimension)
 *   <li>{@code GET /v2/models/{m}[/versions/{v}]/ready}
 *   <li>{@code POST /v2/models/{m}[/versions/{v}]/infer}: JSON tensors (flat or nested {@code data}) or the
 *       binary extension ({@code Inference-Header-Content-Length}, {@code binary_data_size},
 *       {@code binary_data} / {@code binary_data_output}); datatypes BOOL, UINT8, INT8, INT16, INT32, INT64,
 *       FP32, FP64; the request {@code id} is echoed
 *   <li>{@code POST /v1/models/{m}[/versions/{v}]:predict} with {@code instances} (row) or {@code inputs}
 *       (columnar), answering {@code predictions} or {@code outputs}; {@code GET /v1/models/{m}} (status)
 * </ul>
 * Bodies are decoded and answers encoded with the gateway's own codecs ({@code dev.warden.gateway.protocol}),
 * so the demo also exercises them from the server side.
 * Every model has the single version {@code "1"}. Errors are JSON {@code {"error": message, "code": code}}:
 * 400 malformed JSON or framing, 404 unknown path, model or version, 405 wrong method, 413 body over
 * {@value #MAX_BODY_BYTES} bytes, 422 tensors that do not fit the model (the message names the field).
 *
 * <h2>Threads</h2>
 * One {@code OrtSession} per model, created at start and shared. Decoding, inference and encoding run on a
 * worker pool of one thread per core, never on an event loop.
 *
 * <h2>Security</h2>
 * A demo and test backend: no authentication and no TLS; bind it to loopback and put the gateway in front.
 */
public final class DemoModelServer {
  /** Largest request body accepted. */
  public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  static final String SERVER_NAME = "warden-demo-model-server";
  static final String SERVER_VERSION = "1";
  private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final String OCTET_STREAM = "application/octet-stream";

  private final Vertx vertx;
  private final Map<String, OnnxModel> models;
  private final ObjectMapper mapper = new ObjectMapper();
  private final WorkerExecutor worker;
  private volatile Listeners listeners;

  private DemoModelServer(Vertx vertx, Map<String, OnnxModel> models) {
    this.vertx = vertx;
    this.models = models;
    this.worker = vertx.createSharedWorkerExecutor("warden-demo-model-" + UUID.randomUUID(),
        Runtime.getRuntime().availableProcessors());
  }

  /**
   * Loads the models and starts one HTTP listener.
   *
   * @param host address to bind, e.g. {@code 127.0.0.1}
   * @param port port to bind; 0 picks a free port (see {@link #actualPort()})
   * @param modelsByName model name (as used in URLs) to ONNX file
   * @return completes once the server accepts connections; fails if a model does not load or the port is
   *     taken
   */
  public static Future<DemoModelServer> start(Vertx vertx, String host, int port, Map<String, Path> modelsByName) {
    return start(vertx, host, port, modelsByName, 1);
  }

  /**
   * As {@link #start(Vertx, String, int, Map)}, with {@code listeners} HTTP servers on the same port, each on
   * its own event loop (use the number of event loops for load tests).
   */
  public static Future<DemoModelServer> start(Vertx vertx, String host, int port, Map<String, Path> modelsByName,
      int listeners) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(modelsByName, "modelsByName");
    if (modelsByName.isEmpty()) {
      throw new IllegalArgumentException("modelsByName is empty: give at least one model");
    }
    for (String name : modelsByName.keySet()) {
      if (name == null || !MODEL_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("model name '" + name + "' must match " + MODEL_NAME.pattern());
      }
    }
    Map<String, Path> files = new LinkedHashMap<>(modelsByName);
    return vertx.<Map<String, OnnxModel>>executeBlocking(() -> loadAll(files), false).compose(loaded -> {
      DemoModelServer server = new DemoModelServer(vertx, loaded);
      return Listeners.start(vertx, host, port, listeners, server::handle)
          .map(l -> {
            server.listeners = l;
            return server;
          })
          .recover(err -> {
            server.closeModels();
            server.worker.close();
            return Future.failedFuture(err);
          });
    });
  }

  private static Map<String, OnnxModel> loadAll(Map<String, Path> files) {
    Map<String, OnnxModel> loaded = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Path> e : files.entrySet()) {
        loaded.put(e.getKey(), OnnxModel.load(e.getKey(), Objects.requireNonNull(e.getValue(), e.getKey())));
      }
      return Map.copyOf(loaded);
    } catch (RuntimeException e) {
      loaded.values().forEach(OnnxModel::close);
      throw e;
    }
  }

  /** The port the server listens on (useful after starting on port 0). */
  public int actualPort() {
    return listeners.port();
  }

  /** Stops listening, then releases the worker pool and the ONNX Runtime sessions. */
  public Future<Void> close() {
    return listeners.close()
        .eventually(worker::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          closeModels();
          return null;
        }, false));
  }

  private void closeModels() {
    models.values().forEach(OnnxModel::close);
  }

  private void handle(HttpServerRequest req) {
    try {
      String path = req.path();
      if (path.equals("/v2") || path.equals("/v2/")) {
        requireGet(req);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("name", SERVER_NAME);
        meta.put("version", SERVER_VERSION);
        meta.put("extensions", List.of("binary_tensor_data"));
        HttpReplies.json(req, 200, meta, mapper);
      } else if (path.equals("/v2/health/live") || path.equals("/v2/health/ready")) {
        requireGet(req);
        String key = path.endsWith("live") ? "live" : "ready";
        HttpReplies.json(req, 200, Map.of(key, true), mapper);
      } else if (path.startsWith("/v2/models/")) {
        handleV2Model(req, path.substring("/v2/models/".length()));
      } else if (path.startsWith("/v1/models/")) {
        handleV1Model(req, path.substring("/v1/models/".length()));
      } else {
        throw BackendException.notFound("not_found", "no endpoint " + req.method() + " " + path);
      }
    } catch (BackendException e) {
      HttpReplies.error(req, e, mapper);
    }
  }

  private void handleV2Model(HttpServerRequest req, String rest) {
    String[] seg = rest.split("/", -1);
    String action;
    String version = null;
    if (seg.length == 1) {
      action = "metadata";
    } else if (seg.length == 2) {
      action = seg[1];
    } else if (seg.length == 3 && seg[1].equals("versions")) {
      action = "metadata";
      version = seg[2];
    } else if (seg.length == 4 && seg[1].equals("versions")) {
      action = seg[3];
      version = seg[2];
    } else {
      throw BackendException.notFound("not_found", "no endpoint " + req.method() + " " + req.path());
    }
    OnnxModel model = model(seg[0], version);
    String servedVersion = OnnxModel.VERSION;
    switch (action) {
      case "metadata" -> {
        requireGet(req);
        HttpReplies.json(req, 200, metadata(model), mapper);
      }
      case "ready" -> {
        requireGet(req);
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("name", model.name());
        ready.put("ready", true);
        HttpReplies.json(req, 200, ready, mapper);
      }
      case "infer" -> {
        requirePost(req);
        String headerLength = req.getHeader(OipCodec.HEADER_LENGTH);
        HttpReplies.readBody(req, MAX_BODY_BYTES)
            .compose(body -> worker.executeBlocking(() -> infer(model, servedVersion, body, headerLength), false))
            .onSuccess(encoded -> {
              var resp = req.response().setStatusCode(200);
              if (encoded.headerLength() >= 0) {
                resp.putHeader("Content-Type", OCTET_STREAM)
                    .putHeader(OipCodec.HEADER_LENGTH, Integer.toString(encoded.headerLength()));
              } else {
                resp.putHeader("Content-Type", HttpReplies.JSON);
              }
              resp.end(encoded.body());
            })
            .onFailure(err -> HttpReplies.error(req, err, mapper));
      }
      default -> throw BackendException.notFound("not_found", "no endpoint " + req.method() + " " + req.path());
    }
  }

  private void handleV1Model(HttpServerRequest req, String rest) {
    boolean predict = rest.endsWith(":predict");
    if (predict) {
      rest = rest.substring(0, rest.length() - ":predict".length());
    }
    String[] seg = rest.split("/", -1);
    String version;
    if (seg.length == 1) {
      version = null;
    } else if (seg.length == 3 && seg[1].equals("versions")) {
      version = seg[2];
    } else {
      throw BackendException.notFound("not_found", "no endpoint " + req.method() + " " + req.path());
    }
    OnnxModel model = model(seg[0], version);
    if (!predict) {
      requireGet(req);
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("version", OnnxModel.VERSION);
      status.put("state", "AVAILABLE");
      status.put("status", Map.of("error_code", "OK", "error_message", ""));
      HttpReplies.json(req, 200, Map.of("model_version_status", List.of(status)), mapper);
      return;
    }
    requirePost(req);
    HttpReplies.readBody(req, MAX_BODY_BYTES)
        .compose(body -> worker.executeBlocking(() -> predict(model, body), false))
        .onSuccess(body -> req.response().setStatusCode(200).putHeader("Content-Type", HttpReplies.JSON).end(body))
        .onFailure(err -> HttpReplies.error(req, err, mapper));
  }

  /** Decodes an OIP infer request with the gateway's codec, runs it, and encodes the answer. */
  private static OipCodec.Encoded infer(OnnxModel model, String version, Buffer body, String headerLength) {
    InferenceMessage request = decoded(() -> OipCodec.decodeRequest(body, headerLength));
    RequestedOutputs wanted = decoded(() -> RequestedOutputs.of(request.header()));
    ObjectNode header = JsonNodeFactory.instance.objectNode()
        .put("model_name", model.name())
        .put("model_version", version);
    JsonNode id = request.header().get("id");
    if (id != null && !id.isNull()) {
      if (!id.isTextual()) {
        throw BackendException.invalidInput("id: must be a string");
      }
      header.put("id", id.textValue());
    }
    List<Tensor> outputs = model.run(request.tensors(), wanted.names());
    return OipCodec.encodeResponse(header, outputs, wanted::binary);
  }

  /** Decodes a TF-Serving predict request in the model's input types, runs it, and answers in its form. */
  private static Buffer predict(OnnxModel model, Buffer body) {
    Map<String, DataType> signature = new LinkedHashMap<>();
    model.inputs().forEach(in -> signature.put(in.name(), in.type()));
    InferenceMessage request = decoded(() -> TfCodec.decodeRequest(body, signature));
    List<Tensor> outputs = model.run(request.tensors(), List.of());
    try {
      return TfCodec.encodeResponse(request, outputs);
    } catch (IllegalArgumentException e) {
      throw new BackendException(500, "inference_failed", e.getMessage());
    }
  }

  private interface Decoding<T> {
    T run() throws MalformedInputException;
  }

  /** Runs a decoder; a body it refuses is 400 when unreadable, 422 when readable but wrong. */
  private static <T> T decoded(Decoding<T> decoding) {
    try {
      return decoding.run();
    } catch (MalformedInputException e) {
      throw switch (e.kind()) {
        case NOT_JSON -> BackendException.invalidJson(e.getMessage());
        case FRAMING -> BackendException.badRequest(e.getMessage());
        case INVALID -> BackendException.invalidInput(e.getMessage());
      };
    }
  }

  private OnnxModel model(String name, String version) {
    OnnxModel model = models.get(name);
    if (model == null) {
      throw BackendException.notFound("model_not_found", "model '" + name + "' is not served here");
    }
    if (version != null && !version.equals(OnnxModel.VERSION)) {
      throw BackendException.notFound("version_not_found",
          "model '" + name + "' has no version '" + version + "' (versions: [" + OnnxModel.VERSION + "])");
    }
    return model;
  }

  private static Map<String, Object> metadata(OnnxModel model) {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("name", model.name());
    meta.put("versions", List.of(OnnxModel.VERSION));
    meta.put("platform", "onnxruntime");
    meta.put("inputs", ioList(model.inputs()));
    meta.put("outputs", ioList(model.outputs()));
    return meta;
  }

  private static List<Map<String, Object>> ioList(List<OnnxModel.IoSpec> specs) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (OnnxModel.IoSpec s : specs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("datatype", s.type().name());
      m.put("shape", s.shape());
      list.add(m);
    }
    return list;
  }

  private static void requireGet(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      throw new BackendException(405, "method_not_allowed", req.method() + " is not allowed on " + req.path());
    }
  }

  private static void requirePost(HttpServerRequest req) {
    if (req.method() != HttpMethod.POST) {
      throw new BackendException(405, "method_not_allowed", req.method() + " is not allowed on " + req.path());
    }
  }
}
