package dev.warden.gateway.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warden.detectors.train.Dataset;
import dev.warden.detectors.train.Recipes;
import dev.warden.gateway.Gateway;
import dev.warden.gateway.StandardCapabilities;
import dev.warden.gateway.audit.AuditKeys;
import dev.warden.gateway.auth.ApiKeyIndex;
import dev.warden.gateway.demo.backends.DemoChatServer;
import dev.warden.gateway.demo.backends.DemoModelServer;
import dev.warden.gateway.he.HeKeyStore;
import dev.warden.gateway.he.backend.CallerAuth;
import dev.warden.gateway.he.backend.TokenFile;
import dev.warden.gateway.he.backend.HeBackendServer;
import dev.warden.policies.PolicyLoader;
import dev.warden.verifier.EcCurve;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code warden demo}: in one JVM on loopback, a demo model server (OIP v2 + TF predict, ONNX Runtime,
 * the project's own digits MLP), a demo chat backend (a deterministic test double), and the gateway
 * with {@code policies/examples/demo.yaml} in front of both. The working folder keeps the API key, the
 * audit and model-signing keys, the trained and signed model and detector models ({@link DemoDetectors})
 * and the audit log, so a second run reuses them — and a tampered model is refused, as it should be.
 */
public final class Demo implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to start where. Ports 0 pick free ports (tests). */
  public record Options(Path dir, String host, int port, int adminPort, int modelPort, int chatPort, Path policy,
      int hePort) {
    /** The HE backend on 8600, or on a free port when the model server's port is 0 (tests). */
    public Options(Path dir, String host, int port, int adminPort, int modelPort, int chatPort, Path policy) {
      this(dir, host, port, adminPort, modelPort, chatPort, policy, modelPort == 0 ? 0 : 8600);
    }

    public static Options defaults() {
      return new Options(Path.of(".warden-demo"), "127.0.0.1", 8080, 9090, 8500, 8501, null, 8600);
    }
  }

  private final Options options;
  private final Path dir;
  private final Vertx vertx;
  private String apiKey;
  private DemoModelServer modelServer;
  private DemoChatServer chatServer;
  private HeBackendServer heBackend;
  private Gateway gateway;

  private Demo(Options options) {
    this.options = options;
    this.dir = options.dir().toAbsolutePath().normalize();
    this.vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true)).build();
  }

  /** Prepares the folder (first run: keys, model, signature) and starts everything; blocks until ready. */
  public static Demo start(Options options) throws Exception {
    Demo d = new Demo(options);
    try {
      d.prepare();
      d.startAll();
      return d;
    } catch (Exception e) {
      d.close();
      throw e;
    }
  }

  private void prepare() throws IOException, dev.warden.verifier.VerificationException {
    for (String sub : new String[] {"secrets", "keys", "models/digits", "audit", "state", "requests",
        "he-models/digits", "he-models/breast-cancer", "state/he-keys"}) {
      Files.createDirectories(dir.resolve(sub));
    }
    Path keyFile = dir.resolve("secrets/demo-api-key");
    if (!Files.exists(keyFile)) {
      byte[] raw = new byte[24];
      new SecureRandom().nextBytes(raw);
      String key = "wdn_demo_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      writePrivate(keyFile, key + "\n");
      Files.writeString(dir.resolve("secrets/demo-api-keys.sha256"),
          "# SHA-256 of the demo tenant's API key (the key itself is in demo-api-key)\n" + ApiKeyIndex.hashHex(key) + "\n");
    }
    apiKey = Files.readString(keyFile).strip();

    Path auditKey = dir.resolve("keys/audit-ed25519.pem");
    if (!Files.exists(auditKey)) {
      KeyPair kp = AuditKeys.generate();
      AuditKeys.writePrivateKey(auditKey, kp.getPrivate());
      AuditKeys.writePublicKey(dir.resolve("keys/audit-ed25519.pub.pem"), kp.getPublic());
    }

    Path model = dir.resolve("models/digits/model.onnx");
    Dataset.Split split = Recipes.digitsSplit();
    if (!Files.exists(model)) {
      Files.write(model, Recipes.digitsMlp(split.train()).toOnnx("input", "probabilities"));
    }
    Path signingKey = dir.resolve("keys/model-signing.pem");
    Path signingPub = dir.resolve("keys/model-signing.pub.pem");
    if (!Files.exists(signingKey)) {
      KeyGenerator.write(KeyGenerator.generate(EcCurve.P256), signingKey, signingPub);
    }
    Path signature = dir.resolve("models/digits/model.sig");
    if (!Files.exists(signature)) {
      try (ModelHasher hasher = new ModelHasher()) {
        ModelSigner.withKey(Pem.readPrivateKey(signingKey, null), hasher)
            .sign(dir.resolve("models/digits"), signature, HashingOptions.files(), HashProgress.NONE);
      }
    }
    prepareHe(split, signingKey);
    DemoDetectors.prepare(dir, signingKey);
    writeRequests(split.test());
  }

  /**
   * The HE backend's models (trained by project code, signed with the demo's model-signing key): the
   * digits logistic regression and the breast-cancer diagnostic model; and the gateway's HE key-store KEK.
   */
  private void prepareHe(Dataset.Split digits, Path signingKey) throws IOException,
      dev.warden.verifier.VerificationException {
    Path lr = dir.resolve("he-models/digits/model.onnx");
    if (!Files.exists(lr)) {
      Files.write(lr, Recipes.digitsLogisticRegression(digits.train()).toOnnx("input", "probabilities"));
    }
    Dataset.Split bc = Recipes.breastCancerSplit();
    Path bcModel = dir.resolve("he-models/breast-cancer/model.onnx");
    if (!Files.exists(bcModel)) {
      Files.write(bcModel, Recipes.breastCancerLogisticRegression(bc.train()).toOnnx("input", "probabilities"));
    }
    for (String m : new String[] {"digits", "breast-cancer"}) {
      Path sig = dir.resolve("he-models/" + m + "/model.sig");
      if (!Files.exists(sig)) {
        try (ModelHasher hasher = new ModelHasher()) {
          ModelSigner.withKey(Pem.readPrivateKey(signingKey, null), hasher)
              .sign(dir.resolve("he-models/" + m), sig, HashingOptions.files(), HashProgress.NONE);
        }
      }
    }
    HeKeyStore.createKekFile(dir.resolve("secrets/he-kek"), new SecureRandom());
    CallerAuth.createTokenFile(dir.resolve("secrets/he-backend-token"), new SecureRandom());
    float[] patient = bc.test().x()[0];
    ObjectNode oip = JSON.createObjectNode();
    oip.put("id", "patient-1");
    ObjectNode input = oip.putArray("inputs").addObject();
    input.put("name", "input").put("datatype", "FP32");
    input.putArray("shape").add(1).add(patient.length);
    ArrayNode data = input.putArray("data");
    for (float v : patient) {
      data.add(v);
    }
    Files.writeString(dir.resolve("requests/breast-cancer-oip.json"), oip.toString());
    Files.writeString(dir.resolve("requests/README-breast-cancer"), "The first held-out WDBC record is class "
        + bc.test().y()[0] + " (0 = malignant, 1 = benign).\n");
  }

  private void writeRequests(Dataset test) throws IOException {
    float[] image = test.x()[0];
    ObjectNode oip = JSON.createObjectNode();
    oip.put("id", "demo-1");
    ObjectNode input = oip.putArray("inputs").addObject();
    input.put("name", "input").put("datatype", "FP32");
    input.putArray("shape").add(1).add(64);
    ArrayNode data = input.putArray("data");
    for (float v : image) {
      data.add(v);
    }
    Files.writeString(dir.resolve("requests/digits-oip.json"), oip.toString());
    ObjectNode tf = JSON.createObjectNode();
    ArrayNode row = tf.putArray("instances").addArray();
    for (float v : image) {
      row.add(v);
    }
    Files.writeString(dir.resolve("requests/digits-tf.json"), tf.toString());
    ObjectNode chat = JSON.createObjectNode().put("model", DemoChatServer.MODEL).put("stream", true);
    chat.putArray("messages").addObject().put("role", "user").put("content", "What does Warden check?");
    Files.writeString(dir.resolve("requests/chat.json"), chat.toString());
    Files.writeString(dir.resolve("requests/README"), "The first held-out digits image is a " + test.y()[0]
        + " (label from the UCI digits set).\n");
  }

  private void startAll() throws Exception {
    modelServer = DemoModelServer.start(vertx, options.host(), options.modelPort(),
        Map.of("digits", dir.resolve("models/digits/model.onnx"), "digits-dp", dir.resolve("models/digits/model.onnx")))
        .await();
    chatServer = DemoChatServer.start(vertx, options.host(), options.chatPort()).await();
    heBackend = HeBackendServer.start(vertx, options.host(), options.hePort(), dir.resolve("he-models"),
        dir.resolve("keys/model-signing.pub.pem"), HeBackendServer.Options.defaults(),
        CallerAuth.tokenFile(TokenFile.open(dir.resolve("secrets/he-backend-token")))).await();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("WARDEN_DEMO_DIR", dir.toString());
    env.put("WARDEN_DEMO_MODEL_PORT", Integer.toString(modelServer.actualPort()));
    env.put("WARDEN_DEMO_CHAT_PORT", Integer.toString(chatServer.actualPort()));
    env.put("WARDEN_DEMO_HE_PORT", Integer.toString(heBackend.actualPort()));
    gateway = StandardCapabilities.install(Gateway.builder())
        .policy(policyFile())
        .loader(PolicyLoader.forServing().withEnv(env))
        .listen(options.host(), options.port())
        .admin(options.host(), options.adminPort())
        .vertx(vertx)
        .build();
    gateway.start().await();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (gateway.notReadyReason() != null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    writeEnv();
  }

  /** The repository's demo policy when run from a checkout (edit it: it is hot-reloaded), else the jar's copy. */
  private Path policyFile() throws IOException {
    if (options.policy() != null) {
      return options.policy();
    }
    Path repo = Path.of("policies/examples/demo.yaml");
    if (Files.isRegularFile(repo)) {
      return repo.toAbsolutePath();
    }
    Path copy = dir.resolve("policy/demo.yaml");
    Files.createDirectories(copy.getParent());
    try (InputStream in = Demo.class.getResourceAsStream("/dev/warden/policies/examples/demo.yaml")) {
      if (in == null) {
        throw new IOException("demo policy missing from the jar");
      }
      Files.write(copy, in.readAllBytes());
    }
    return copy;
  }

  private void writeEnv() throws IOException {
    String env = String.join("\n",
        "# written by `warden demo`; source it to drive the demo from scripts",
        "WARDEN_URL=" + url(),
        "WARDEN_ADMIN_URL=" + adminUrl(),
        "WARDEN_API_KEY=" + apiKey,
        "WARDEN_DEMO_DIR=" + dir,
        "WARDEN_DEMO_MODEL=" + dir.resolve("models/digits"),
        "WARDEN_DEMO_MODEL_SIGNATURE=" + dir.resolve("models/digits/model.sig"),
        "WARDEN_DEMO_MODEL_PUBLIC_KEY=" + dir.resolve("keys/model-signing.pub.pem"),
        "WARDEN_DEMO_AUDIT_LOG=" + dir.resolve("audit/audit.jsonl"),
        "WARDEN_DEMO_AUDIT_PUBLIC_KEY=" + dir.resolve("keys/audit-ed25519.pub.pem"),
        "WARDEN_MODEL_SERVER_URL=http://" + options.host() + ":" + modelServer.actualPort(),
        "WARDEN_CHAT_BACKEND_URL=http://" + options.host() + ":" + chatServer.actualPort(),
        "WARDEN_HE_BACKEND_URL=http://" + options.host() + ":" + heBackend.actualPort(),
        "WARDEN_HE_BACKEND_TOKEN_FILE=" + dir.resolve("secrets/he-backend-token"),
        "");
    writePrivate(dir.resolve("demo.env"), env);
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing more to do
    }
  }

  /** The welcome text with URLs, the key and ready-to-paste commands. */
  public String banner() {
    String rel = Path.of("").toAbsolutePath().relativize(dir).toString();
    String d = rel.isEmpty() || rel.startsWith("..") ? dir.toString() : rel;
    String auth = "-H \"Authorization: Bearer " + apiKey + "\"";
    String ready = gateway.notReadyReason();
    return String.join("\n",
        "",
        "Warden demo is running (Ctrl-C to stop).",
        "  gateway        " + url() + "      admin " + adminUrl() + " (/readyz /metrics /admin/models /admin/policy)",
        "  model server   http://" + options.host() + ":" + modelServer.actualPort()
            + "  ONNX Runtime, model 'digits' (signed: " + d + "/models/digits/model.sig)",
        "  chat backend   http://" + options.host() + ":" + chatServer.actualPort()
            + "  model 'demo-chat' (deterministic test double, not a language model)",
        "  HE backend     http://" + options.host() + ":" + heBackend.actualPort()
            + "  encrypted inference (CKKS): 'digits' logistic regression, 'breast-cancer' (signed, ciphertexts only)",
        "  API key        " + apiKey + "   (tenant 'demo'; also in " + d + "/demo.env)",
        "  ready          " + (ready == null ? "yes" : "NO: " + ready),
        "",
        "Predict a digit on ciphertexts (the gateway encrypts, the HE backend never sees the pixels; header"
            + " Warden-Compute: he):",
        "  curl -si " + auth + " -H 'X-Data-Class: restricted' --data @" + d + "/requests/digits-oip.json " + url()
            + "/v2/models/digits/infer | grep -e Warden-Compute -e data",
        "Same prediction in plaintext (OIP v2; repeats of one image are then answered from the query-attack"
            + " store's silent cache):",
        "  curl -s " + auth + " -H 'Content-Type: application/json' --data @" + d
            + "/requests/digits-oip.json " + url() + "/v2/models/digits/infer",
        "Same through TF-Serving predict:",
        "  curl -s " + auth + " -H 'Content-Type: application/json' --data @" + d
            + "/requests/digits-tf.json " + url() + "/v1/models/digits:predict",
        "Healthcare: breast-cancer diagnosis, HE-only for every tenant (outputs: [malignant, benign]):",
        "  curl -si " + auth + " --data @" + d + "/requests/breast-cancer-oip.json " + url()
            + "/v2/models/breast-cancer/infer | grep -e Warden-Compute -e data",
        "Differential privacy (noisy probabilities; the budget headers count down; a 429 after 12 distinct inputs):",
        "  curl -si " + auth + " --data @" + d + "/requests/digits-oip.json " + url()
            + "/v2/models/digits-dp/infer | grep -e Warden-Privacy -e data",
        "Chat, streamed (SSE):",
        "  curl -sN " + auth + " -H 'Content-Type: application/json' --data @" + d
            + "/requests/chat.json " + url() + "/v1/chat/completions",
        "Without the key (401), model state, audit check:",
        "  curl -s " + url() + "/v2/models/digits/infer -d '{}'",
        "  curl -s " + adminUrl() + "/admin/models",
        "  ./warden audit verify " + d + "/audit/audit.jsonl --public-key " + d + "/keys/audit-ed25519.pub.pem",
        "");
  }

  public String url() {
    return "http://" + options.host() + ":" + gateway.port();
  }

  public String adminUrl() {
    return "http://" + options.host() + ":" + gateway.adminPort();
  }

  public String apiKey() {
    return apiKey;
  }

  public Gateway gateway() {
    return gateway;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
    if (modelServer != null) {
      modelServer.close().await();
    }
    if (chatServer != null) {
      chatServer.close().await();
    }
    if (heBackend != null) {
      heBackend.close().await();
    }
    vertx.close().await();
  }
}
