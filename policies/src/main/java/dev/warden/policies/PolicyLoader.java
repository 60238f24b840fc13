package dev.warden.policies;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.warden.policies.Specs.ApiKeys;
import dev.warden.policies.Specs.Audit;
import dev.warden.policies.Specs.Authority;
import dev.warden.policies.Specs.Backend;
import dev.warden.policies.Specs.BackendTls;
import dev.warden.policies.Specs.CertificateAuthority;
import dev.warden.policies.Specs.DetectorArtifact;
import dev.warden.policies.Specs.ComputeRule;
import dev.warden.policies.Specs.Jwt;
import dev.warden.policies.Specs.KeyAuthority;
import dev.warden.policies.Specs.KeylessAuthority;
import dev.warden.policies.Specs.Limits;
import dev.warden.policies.Specs.Model;
import dev.warden.policies.Specs.Mtls;
import dev.warden.policies.Specs.RateLimit;
import dev.warden.policies.Specs.Route;
import dev.warden.policies.Specs.State;
import dev.warden.policies.Specs.Tenant;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a policy file (or the single policy file of a directory, e.g. a mounted ConfigMap) into a
 * {@link GatewayPolicy}: {@code ${ENV}} substitution, YAML with locations, JSON Schema validation,
 * then cross-reference checks. Every problem found is reported, each at {@code file:line:col}.
 *
 * <p>Thread-safe and reusable; the compiled schema is shared.
 */
public final class PolicyLoader {
  /** Classpath location of the schema shipped in {@code policies/schema/}. */
  public static final String SCHEMA_RESOURCE = "/dev/warden/policies/gateway-policy.schema.json";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = loadSchema();
  private static final Pattern HEX64 = Pattern.compile("^[0-9a-f]{64}$");

  private final Map<String, String> env;
  private final boolean checkFiles;
  private final Clock clock;

  private PolicyLoader(Map<String, String> env, boolean checkFiles, Clock clock) {
    this.env = env;
    this.checkFiles = checkFiles;
    this.clock = clock;
  }

  /**
   * A loader for serving: process environment, and referenced files (API-key hashes, JWT keys...)
   * must exist and be well-formed.
   */
  public static PolicyLoader forServing() {
    return new PolicyLoader(System.getenv(), true, Clock.systemUTC());
  }

  /** A loader for {@code policy check}: syntax, schema and cross-references only. */
  public static PolicyLoader forChecking() {
    return new PolicyLoader(System.getenv(), false, Clock.systemUTC());
  }

  /** The same loader with these variables added to (and overriding) the environment. */
  public PolicyLoader withEnv(Map<String, String> extra) {
    Map<String, String> merged = new HashMap<>(env);
    merged.putAll(extra);
    return new PolicyLoader(Map.copyOf(merged), checkFiles, clock);
  }

  /** The same loader, checking (or not) that referenced files exist and parse. */
  public PolicyLoader withFileChecks(boolean on) {
    return new PolicyLoader(env, on, clock);
  }

  /**
   * The policy file a path designates: the file itself, or the one {@code *.yaml}/{@code *.yml}
   * file in a directory (hidden entries such as Kubernetes' {@code ..data} are skipped).
   */
  public static Path resolvePolicyFile(Path fileOrDir) throws PolicyException {
    if (!Files.isDirectory(fileOrDir)) {
      if (!Files.isRegularFile(fileOrDir)) {
        throw single(fileOrDir, "no such policy file or directory");
      }
      return fileOrDir;
    }
    List<Path> candidates;
    try (Stream<Path> s = Files.list(fileOrDir)) {
      candidates = s.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> {
            String n = p.getFileName().toString();
            return (n.endsWith(".yaml") || n.endsWith(".yml")) && Files.isRegularFile(p);
          })
          .sorted(Comparator.comparing(Path::toString))
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw single(fileOrDir, "cannot list policy directory: " + e.getMessage());
    }
    if (candidates.size() != 1) {
      throw single(fileOrDir, "a policy directory must hold exactly one *.yaml or *.yml file, found "
          + candidates.size() + (candidates.isEmpty() ? "" : ": " + candidates));
    }
    return candidates.get(0);
  }

  /** Loads and validates; throws with every problem found. */
  public GatewayPolicy load(Path fileOrDir) throws PolicyException {
    Path file = resolvePolicyFile(fileOrDir);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw single(file, "cannot read: " + e.getMessage());
    }
    return parse(file, text);
  }

  /** Validates {@code text} as if it were the content of {@code file}. */
  public GatewayPolicy parse(Path file, String text) throws PolicyException {
    List<PolicyProblem> problems = new ArrayList<>();
    String substituted = EnvSubstitution.apply(file, text, env, problems);
    LocatedTree tree = LocatedTree.parse(file, substituted, problems);
    if (!problems.isEmpty()) {
      throw new PolicyException(problems);
    }
    validateSchema(tree, problems);
    if (!problems.isEmpty()) {
      throw new PolicyException(sorted(problems));
    }
    GatewayPolicy policy = new Builder(tree, file, substituted, problems).build();
    if (!problems.isEmpty()) {
      throw new PolicyException(sorted(problems));
    }
    return policy;
  }

  private static List<PolicyProblem> sorted(List<PolicyProblem> problems) {
    List<PolicyProblem> out = new ArrayList<>(new LinkedHashSet<>(problems));
    out.sort(Comparator.comparingInt(PolicyProblem::line).thenComparingInt(PolicyProblem::column));
    return out;
  }

  private static PolicyException single(Path file, String msg) {
    return new PolicyException(List.of(new PolicyProblem(file, 0, 0, msg)));
  }

  // ---------------------------------------------------------------- schema

  private static JsonSchema loadSchema() {
    try (InputStream in = PolicyLoader.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("schema resource missing: " + SCHEMA_RESOURCE);
      }
      JsonNode schema = JSON.readTree(in);
      SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void validateSchema(LocatedTree tree, List<PolicyProblem> problems) {
    Set<ValidationMessage> messages = SCHEMA.validate(tree.root);
    // anyOf produces one message per failed branch; report the alternative once instead.
    Set<String> anyOfReported = new HashSet<>();
    for (ValidationMessage m : messages) {
      String pointer = pointerOf(m);
      if (m.getEvaluationPath().toString().contains("anyOf")) {
        if (anyOfReported.add(pointer)) {
          problems.add(tree.problemAtValue(pointer, pointer.matches("/spec/tenants/\\d+")
              ? dotted(pointer) + ": a tenant needs at least one of apiKeys, jwt, mtls"
              : dotted(pointer) + ": none of the alternatives matches"));
        }
        continue;
      }
      String key = m.getProperty();
      String what = describe(m, pointer);
      if ("additionalProperties".equals(m.getType()) && key != null) {
        problems.add(tree.problemAtKey(LocatedTree.child(pointer, key), what));
      } else {
        problems.add(tree.problemAtValue(pointer, what));
      }
    }
  }

  private static String pointerOf(ValidationMessage m) {
    StringBuilder sb = new StringBuilder();
    var loc = m.getInstanceLocation();
    for (int i = 0; i < loc.getNameCount(); i++) {
      Object e = loc.getElement(i);
      sb.append('/').append(e.toString().replace("~", "~0").replace("/", "~1"));
    }
    return sb.toString();
  }

  private static String describe(ValidationMessage m, String pointer) {
    String where = pointer.isEmpty() ? "document" : dotted(pointer);
    switch (m.getType()) {
      case "additionalProperties":
        return "unknown key '" + m.getProperty() + "' in " + where;
      case "required":
        return "missing required key '" + m.getProperty() + "' in " + where;
      default:
        return where + ": " + stripPath(m.getMessage());
    }
  }

  private static String stripPath(String message) {
    // networknt prefixes messages with the instance path; we already say where.
    int colon = message.indexOf(": ");
    return colon > 0 && (message.startsWith("$") || message.startsWith("/")) ? message.substring(colon + 2)
        : message;
  }

  static String dotted(String pointer) {
    StringBuilder sb = new StringBuilder();
    for (String part : pointer.substring(1).split("/")) {
      String p = part.replace("~1", "/").replace("~0", "~");
      if (p.matches("\\d+")) {
        sb.append('[').append(p).append(']');
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(p);
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- build + cross-checks

  private final class Builder {
    private final LocatedTree tree;
    private final Path file;
    private final String text;
    private final List<PolicyProblem> problems;
    private final Path baseDir;

    Builder(LocatedTree tree, Path file, String text, List<PolicyProblem> problems) {
      this.tree = tree;
      this.file = file;
      this.text = text;
      this.problems = problems;
      this.baseDir = file.toAbsolutePath().getParent();
    }

    void problem(String pointer, String message) {
      problems.add(tree.problemAtValue(pointer, message));
    }

    GatewayPolicy build() {
      JsonNode spec = tree.root.path("spec");
      Mode mode = Mode.parse(spec.path("mode").asText("enforce"));
      Limits limits = limits(spec.path("limits"), new Limits(4L << 20, 30_000));

      List<Tenant> tenants = tenants(spec.path("tenants"));
      Map<String, Backend> backends = backends(spec.path("backends"));
      List<Model> models = models(spec.path("models"), mode);
      List<Route> routes = routes(spec.path("routes"), mode, limits, tenants, backends, models);
      Optional<Audit> audit = audit(spec.path("audit"));
      State state = state(spec.path("state"));

      return new GatewayPolicy(tree.root.path("metadata").path("name").asText(), version(text), file,
          clock.instant(), mode, limits, List.copyOf(tenants), Map.copyOf(backends), List.copyOf(models),
          List.copyOf(routes), audit, state, tree.root, tree);
    }

    private Limits limits(JsonNode n, Limits dflt) {
      return new Limits(n.path("maxBodyBytes").asLong(dflt.maxBodyBytes()),
          n.path("timeoutMs").asLong(dflt.timeoutMs()));
    }

    private Path path(String pointer, JsonNode n) {
      Path p = Path.of(n.asText());
      if (!p.isAbsolute()) {
        p = baseDir.resolve(p).normalize();
      }
      if (checkFiles && !Files.isReadable(p)) {
        problem(pointer, "file not found or not readable: " + p);
      }
      return p;
    }

    private Optional<Path> optPath(String pointer, JsonNode parent, String key) {
      return parent.has(key) ? Optional.of(path(LocatedTree.child(pointer, key), parent.get(key)))
          : Optional.empty();
    }

    private Optional<String> optText(JsonNode parent, String key) {
      return parent.has(key) ? Optional.of(parent.get(key).asText()) : Optional.empty();
    }

    private void regex(String pointer, JsonNode parent, String key) {
      if (parent.has(key)) {
        try {
          Pattern.compile(parent.get(key).asText());
        } catch (PatternSyntaxException e) {
          problem(LocatedTree.child(pointer, key), "invalid regular expression: " + e.getDescription());
        }
      }
    }

    private List<Tenant> tenants(JsonNode arr) {
      List<Tenant> out = new ArrayList<>();
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < arr.size(); i++) {
        String ptr = "/spec/tenants/" + i;
        JsonNode t = arr.get(i);
        String id = t.path("id").asText();
        if (seen.putIfAbsent(id, i) != null) {
          problem(ptr + "/id", "duplicate tenant id '" + id + "'");
        }
        Optional<ApiKeys> keys = Optional.empty();
        if (t.has("apiKeys")) {
          String kp = ptr + "/apiKeys";
          Path f = path(kp + "/sha256File", t.get("apiKeys").get("sha256File"));
          if (checkFiles && Files.isReadable(f)) {
            checkHashFile(kp + "/sha256File", f);
          }
          keys = Optional.of(new ApiKeys(f, kp));
        }
        Optional<Jwt> jwt = Optional.empty();
        if (t.has("jwt")) {
          jwt = Optional.of(jwt(ptr + "/jwt", t.get("jwt"), id));
        }
        Optional<Mtls> mtls = Optional.empty();
        if (t.has("mtls")) {
          JsonNode m = t.get("mtls");
          mtls = Optional.of(new Mtls(optText(m, "sanUri"), optText(m, "sanDns")));
        }
        out.add(new Tenant(id, keys, jwt, mtls, ptr));
      }
      return out;
    }

    private void checkHashFile(String pointer, Path f) {
      try {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        int count = 0;
        for (int i = 0; i < lines.size(); i++) {
          String l = lines.get(i).strip();
          if (l.isEmpty() || l.startsWith("#")) {
            continue;
          }
          if (!HEX64.matcher(l).matches()) {
            problem(pointer, f + ":" + (i + 1) + ": not a lowercase hex SHA-256 (64 hex digits); "
                + "store hashes of API keys, never the keys");
          }
          count++;
        }
        if (count == 0) {
          problem(pointer, f + ": holds no key hash");
        }
      } catch (IOException e) {
        problem(pointer, "cannot read " + f + ": " + e.getMessage());
      }
    }

    private Jwt jwt(String ptr, JsonNode j, String tenantId) {
      Set<String> algs = new LinkedHashSet<>();
      j.path("algorithms").forEach(a -> algs.add(a.asText()));
      Optional<Path> pub = optPath(ptr, j, "publicKeyFile");
      Optional<Path> jwks = optPath(ptr, j, "jwksFile");
      Optional<Path> secret = optPath(ptr, j, "secretFile");
      int sources = (pub.isPresent() ? 1 : 0) + (jwks.isPresent() ? 1 : 0) + (secret.isPresent() ? 1 : 0);
      if (sources != 1) {
        problem(ptr, "jwt needs exactly one of publicKeyFile, jwksFile, secretFile");
      }
      if (algs.isEmpty()) {
        // Bind the algorithm to the key type: an HMAC secret never verifies RS/ES tokens and back.
        if (secret.isPresent()) {
          algs.add("HS256");
        } else {
          algs.add("RS256");
          algs.add("ES256");
        }
      }
      if (secret.isPresent() && !algs.equals(Set.of("HS256"))) {
        problem(ptr + "/algorithms", "a secretFile key only verifies HS256");
      }
      if (secret.isEmpty() && algs.contains("HS256")) {
        problem(ptr + "/algorithms", "HS256 needs secretFile (a public key cannot be an HMAC secret)");
      }
      return new Jwt(j.path("issuer").asText(), j.path("audience").asText(),
          j.path("tenantClaim").asText("sub"), j.path("claimValue").asText(tenantId), Set.copyOf(algs),
          pub, jwks, secret, j.path("clockSkewSeconds").asInt(30), ptr);
    }

    private Map<String, Backend> backends(JsonNode obj) {
      Map<String, Backend> out = new LinkedHashMap<>();
      obj.properties().forEach(e -> {
        String ptr = LocatedTree.child("/spec/backends", e.getKey());
        JsonNode b = e.getValue();
        JsonNode cb = b.path("circuitBreaker");
        Optional<BackendTls> tls = Optional.empty();
        if (b.has("tls")) {
          JsonNode t = b.get("tls");
          String tp = ptr + "/tls";
          tls = Optional.of(new BackendTls(optPath(tp, t, "caFile"), optText(t, "serverName"),
              optPath(tp, t, "clientCertFile"), optPath(tp, t, "clientKeyFile")));
          if (t.has("clientCertFile") != t.has("clientKeyFile")) {
            problem(tp, "clientCertFile and clientKeyFile go together");
          }
        }
        URI url = URI.create(b.get("url").asText());
        if (url.getScheme().equals("http") && tls.isPresent()) {
          problem(ptr + "/tls", "tls settings on an http:// backend; use https://");
        }
        out.put(e.getKey(), new Backend(e.getKey(), url, Protocol.parse(b.get("protocol").asText()),
            b.path("timeoutMs").asLong(30_000), b.path("connectTimeoutMs").asLong(2_000),
            b.path("retries").asInt(1), b.path("maxConnections").asInt(256),
            cb.path("failureThreshold").asInt(5), cb.path("openMs").asLong(5_000), tls,
            optText(b, "fallback"), optPath(ptr, b, "tokenFile"), ptr));
      });
      out.values().forEach(b -> heOnly(b, out));
      return out;
    }

    /**
     * {@code fallback} and {@code tokenFile} belong to warden-he backends, and an HE backend falls back
     * only to another HE backend: sensitive plaintext never goes to a plain backend.
     */
    private void heOnly(Backend b, Map<String, Backend> all) {
      boolean he = b.protocol() == Protocol.WARDEN_HE;
      if (!he && b.tokenFile().isPresent()) {
        problem(b.pointer() + "/tokenFile", "tokenFile is only for warden-he backends");
      }
      if (b.fallback().isEmpty()) {
        return;
      }
      String fp = b.pointer() + "/fallback";
      Backend f = all.get(b.fallback().get());
      if (!he) {
        problem(fp, "fallback is only for warden-he backends");
      } else if (f == null) {
        problem(fp, "unknown backend '" + b.fallback().get() + "' (not under spec.backends)");
      } else if (f.protocol() != Protocol.WARDEN_HE) {
        problem(fp, "fallback '" + f.name() + "' speaks " + f.protocol().wireName() + ": an HE backend may only "
            + "fall back to another warden-he backend (sensitive data never goes to a plain backend)");
      } else {
        Set<String> seen = new HashSet<>(Set.of(b.name()));
        for (Backend x = f; x != null; x = x.fallback().map(all::get).orElse(null)) {
          if (!seen.add(x.name())) {
            problem(fp, "fallback chain of '" + b.name() + "' loops back to '" + x.name() + "'");
            break;
          }
        }
      }
    }

    private List<Model> models(JsonNode arr, Mode dflt) {
      List<Model> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < arr.size(); i++) {
        String ptr = "/spec/models/" + i;
        JsonNode m = arr.get(i);
        Optional<String> version = optText(m, "version");
        String key = m.get("name").asText() + "@" + version.orElse("*");
        if (!seen.add(key)) {
          problem(ptr + "/name", "duplicate model entry " + key);
        }
        Authority authority = authority(ptr + "/authority", m.get("authority"));
        List<String> ignore = new ArrayList<>();
        m.path("ignorePaths").forEach(n -> ignore.add(n.asText()));
        Mode mode = m.has("mode") ? Mode.parse(m.get("mode").asText()) : dflt;
        out.add(new Model(m.get("name").asText(), version, path(ptr + "/path", m.get("path")),
            path(ptr + "/signature", m.get("signature")), mode, authority, List.copyOf(ignore),
            m.path("ignoreUnsignedFiles").asBoolean(false), m.path("recheckSeconds").asLong(300), ptr));
      }
      return out;
    }

    /** Who must have signed a model or a detector model: exactly one of key, certificate, keyless. */
    private Authority authority(String ap, JsonNode a) {
      if (a.has("key")) {
        return new KeyAuthority(path(ap + "/key/publicKey", a.get("key").get("publicKey")));
      } else if (a.has("certificate")) {
        JsonNode c = a.get("certificate");
        List<Path> chain = new ArrayList<>();
        for (int k = 0; k < c.get("chain").size(); k++) {
          chain.add(path(ap + "/certificate/chain/" + k, c.get("chain").get(k)));
        }
        regex(ap + "/certificate", c, "sanRegExp");
        return new CertificateAuthority(List.copyOf(chain), optText(c, "subject"), optText(c, "san"),
            optText(c, "sanRegExp"));
      } else {
        JsonNode k = a.get("keyless");
        String kp = ap + "/keyless";
        if (k.has("issuer") == k.has("issuerRegExp")) {
          problem(kp, "keyless needs exactly one of issuer, issuerRegExp");
        }
        if (k.has("subject") == k.has("subjectRegExp")) {
          problem(kp, "keyless needs exactly one of subject, subjectRegExp (the signer's identity)");
        }
        regex(kp, k, "issuerRegExp");
        regex(kp, k, "subjectRegExp");
        return new KeylessAuthority(optText(k, "issuer"), optText(k, "issuerRegExp"),
            optText(k, "subject"), optText(k, "subjectRegExp"), path(kp + "/trustedRoot", k.get("trustedRoot")));
      }
    }

    private List<Route> routes(JsonNode arr, Mode dflt, Limits limits, List<Tenant> tenants,
        Map<String, Backend> backends, List<Model> models) {
      Set<String> tenantIds = tenants.stream().map(Tenant::id).collect(Collectors.toSet());
      Set<String> names = new HashSet<>();
      List<Route> out = new ArrayList<>();
      for (int i = 0; i < arr.size(); i++) {
        String ptr = "/spec/routes/" + i;
        JsonNode r = arr.get(i);
        String name = r.get("name").asText();
        if (!names.add(name)) {
          problem(ptr + "/name", "duplicate route name '" + name + "'");
        }
        JsonNode match = r.get("match");
        Protocol protocol = Protocol.parse(match.get("protocol").asText());
        String model = match.get("model").asText();
        List<String> versions = new ArrayList<>();
        match.path("versions").forEach(v -> versions.add(v.asText()));

        Set<String> allowed = new LinkedHashSet<>();
        JsonNode ts = r.get("tenants");
        for (int k = 0; k < ts.size(); k++) {
          String id = ts.get(k).asText();
          if (!id.equals("*") && !tenantIds.contains(id)) {
            problem(ptr + "/tenants/" + k, "unknown tenant '" + id + "' (not under spec.tenants)");
          }
          allowed.add(id);
        }

        List<ComputeRule> compute = new ArrayList<>();
        if (r.has("backend") == r.has("compute")) {
          problem(ptr, "route '" + name + "' needs exactly one of backend, compute");
        } else if (r.has("backend")) {
          compute.add(new ComputeRule(r.get("backend").asText(), List.of(), Map.of()));
          checkBackend(ptr + "/backend", r.get("backend").asText(), protocol, backends);
        } else {
          JsonNode rules = r.get("compute");
          for (int k = 0; k < rules.size(); k++) {
            JsonNode c = rules.get(k);
            String cp = ptr + "/compute/" + k;
            List<String> whenTenants = new ArrayList<>();
            c.path("when").path("tenant").forEach(t -> whenTenants.add(t.asText()));
            Map<String, String> headers = new LinkedHashMap<>();
            c.path("when").path("header").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
            compute.add(new ComputeRule(c.get("backend").asText(), List.copyOf(whenTenants), Map.copyOf(headers)));
            checkBackend(cp + "/backend", c.get("backend").asText(), protocol, backends);
          }
          if (!compute.get(compute.size() - 1).unconditional()) {
            problem(ptr + "/compute", "the last compute rule must have no 'when' (the default backend)");
          }
        }

        boolean allowUnsigned = r.path("allowUnsignedModel").asBoolean(false);
        if (protocol != Protocol.OPENAI && !allowUnsigned) {
          boolean known = model.equals("*") ? !models.isEmpty()
              : models.stream().anyMatch(m -> m.name().equals(model));
          if (!known) {
            problem(ptr + "/match/model", "route '" + name + "' serves model '" + model
                + "' which has no entry under spec.models (add one naming its signature and authority, "
                + "or set allowUnsignedModel: true on the route)");
          }
        }

        Optional<RateLimit> rate = Optional.empty();
        if (r.has("rateLimit")) {
          JsonNode rl = r.get("rateLimit");
          double rps = rl.get("requestsPerSecond").asDouble();
          rate = Optional.of(new RateLimit(rps, rl.path("burst").asLong((long) Math.max(1, Math.ceil(rps)))));
        }
        List<JsonNode> screening = new ArrayList<>();
        r.path("screening").forEach(screening::add);
        List<DetectorArtifact> detectorModels = detectorModels(ptr, screening);
        Mode mode = r.has("mode") ? Mode.parse(r.get("mode").asText()) : dflt;
        out.add(new Route(name, protocol, model, List.copyOf(versions), Set.copyOf(allowed), mode,
            List.copyOf(compute), allowUnsigned, rate, limits(r.path("limits"), limits), List.copyOf(screening),
            Optional.ofNullable(r.get("privacy")), ptr, List.copyOf(detectorModels)));
      }
      return out;
    }

    /** The signed detector models a route's screens name (the schema requires signature and authority with model). */
    private List<DetectorArtifact> detectorModels(String ptr, List<JsonNode> screening) {
      List<DetectorArtifact> out = new ArrayList<>();
      for (int k = 0; k < screening.size(); k++) {
        JsonNode s = screening.get(k);
        String sp = ptr + "/screening/" + k;
        String type = s.path("type").asText();
        if (s.path("kind").asText("score").equals("text-classifier") && !(type.equals("onnx-detector") && s.has("model"))) {
          problem(sp + "/kind", "kind text-classifier needs type onnx-detector and a model directory");
        }
        if (!s.has("model")) {
          continue;
        }
        if (!type.equals("onnx-detector") && !type.equals("prompt-injection")) {
          problem(sp + "/model", "only onnx-detector and prompt-injection screens take a model");
          continue;
        }
        out.add(new DetectorArtifact(k, path(sp + "/model", s.get("model")), path(sp + "/signature", s.get("signature")),
            authority(sp + "/authority", s.get("authority")), sp));
      }
      return out;
    }

    private void checkBackend(String pointer, String backend, Protocol protocol, Map<String, Backend> backends) {
      Backend b = backends.get(backend);
      if (b == null) {
        problem(pointer, "unknown backend '" + backend + "' (not under spec.backends)");
        return;
      }
      boolean ok = switch (protocol) {
        case OIP -> b.protocol() == Protocol.OIP || b.protocol() == Protocol.WARDEN_HE;
        case TF -> b.protocol() == Protocol.TF || b.protocol() == Protocol.WARDEN_HE;
        case OPENAI -> b.protocol() == Protocol.OPENAI;
        case WARDEN_HE -> false;
      };
      if (!ok) {
        problem(pointer, "backend '" + backend + "' speaks " + b.protocol().wireName() + ", the route matches "
            + protocol.wireName());
      }
    }

    private Optional<Audit> audit(JsonNode a) {
      if (a.isMissingNode()) {
        return Optional.empty();
      }
      Path f = Path.of(a.get("file").asText());
      if (!f.isAbsolute()) {
        f = baseDir.resolve(f).normalize();
      }
      return Optional.of(new Audit(f, path("/spec/audit/signingKey", a.get("signingKey")),
          a.path("checkpointEvery").asInt(1000), a.path("fsync").asText("checkpoint")));
    }

    private State state(JsonNode s) {
      if (s.isMissingNode()) {
        return new State("embedded", Path.of("/var/lib/warden"), Optional.empty(), Optional.empty(), "fail-closed",
            Optional.empty());
      }
      String store = s.get("store").asText();
      if (store.equals("redis") && !s.has("url")) {
        problem("/spec/state", "state.store redis needs url");
      }
      if (store.equals("embedded") && s.has("url")) {
        problem("/spec/state/url", "url is only for store: redis");
      }
      Path dir = Path.of(s.path("dir").asText("/var/lib/warden"));
      if (!dir.isAbsolute()) {
        dir = baseDir.resolve(dir).normalize();
      }
      if (s.has("caFile") && !s.path("url").asText().startsWith("rediss://")) {
        problem("/spec/state/caFile", "caFile is only for a rediss:// (TLS) url");
      }
      return new State(store, dir, optText(s, "url"), optPath("/spec/state", s, "passwordFile"),
          s.path("onUnavailable").asText("fail-closed"), optPath("/spec/state", s, "caFile"));
    }
  }

  private static String version(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
