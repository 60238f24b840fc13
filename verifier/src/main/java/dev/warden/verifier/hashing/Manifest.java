package dev.warden.verifier.hashing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A model's manifest: every resource (a file, or a shard {@code path:start:end}) paired with its
 * SHA-256 digest, plus the serialization that produced it. Immutable.
 *
 * <p>Two manifests are compared as maps (order-insensitive, exact): see {@link #diff(Manifest)}. The
 * root digest is SHA-256 over the concatenated raw digests in the listed order; a manifest built by
 * hashing lists resources in the canonical order of {@code model_signing} (path segments, then start
 * offset), so Warden and {@code model_signing} print the same root digest for the same tree.
 */
public final class Manifest {

  /** One manifest entry. The digest array is copied in and out. */
  public static final class Resource {
    private final String name;
    private final String algorithm;
    private final byte[] digest;

    public Resource(String name, String algorithm, byte[] digest) {
      this.name = Objects.requireNonNull(name, "name");
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      this.digest = digest.clone();
    }

    public String name() {
      return name;
    }

    public String algorithm() {
      return algorithm;
    }

    public byte[] digest() {
      return digest.clone();
    }

    public String digestHex() {
      return HexFormat.of().formatHex(digest);
    }

    boolean sameDigest(Resource o) {
      return algorithm.equals(o.algorithm) && MessageDigest.isEqual(digest, o.digest);
    }

    @Override
    public String toString() {
      return name + "=" + algorithm + ":" + digestHex();
    }
  }

  /** Result of comparing an expected (signed) manifest with the actual tree. */
  public static final class Diff {
    private final List<String> extra;
    private final List<String> missing;
    private final List<String> changed;

    Diff(List<String> extra, List<String> missing, List<String> changed) {
      this.extra = List.copyOf(extra);
      this.missing = List.copyOf(missing);
      this.changed = List.copyOf(changed);
    }

    /** Resources present on disk but not signed. */
    public List<String> extra() {
      return extra;
    }

    /** Signed resources absent on disk. */
    public List<String> missing() {
      return missing;
    }

    /** Resources whose digest differs. */
    public List<String> changed() {
      return changed;
    }

    public boolean isEmpty() {
      return extra.isEmpty() && missing.isEmpty() && changed.isEmpty();
    }

    /** A human message naming every difference (bounded to a few names per kind). */
    public String describe() {
      List<String> parts = new ArrayList<>();
      if (!changed.isEmpty()) {
        parts.add("changed: " + clip(changed));
      }
      if (!extra.isEmpty()) {
        parts.add("extra (unsigned) files: " + clip(extra));
      }
      if (!missing.isEmpty()) {
        parts.add("missing files: " + clip(missing));
      }
      return parts.isEmpty() ? "manifests match" : String.join("; ", parts);
    }

    private static String clip(List<String> names) {
      int max = 10;
      String s = String.join(", ", names.subList(0, Math.min(max, names.size())));
      return names.size() > max ? s + " (+" + (names.size() - max) + " more)" : s;
    }
  }

  private final String modelName;
  private final HashingOptions serialization;
  private final List<Resource> resources;
  private final Map<String, Resource> byName;

  private Manifest(String modelName, HashingOptions serialization, List<Resource> resources) {
    this.modelName = modelName;
    this.serialization = serialization;
    this.resources = Collections.unmodifiableList(new ArrayList<>(resources));
    Map<String, Resource> map = new LinkedHashMap<>();
    for (Resource r : resources) {
      if (map.put(r.name(), r) != null) {
        throw new IllegalArgumentException("duplicate manifest entry '" + r.name() + "'");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /**
   * A manifest keeping the given order (used for manifests read from a signature, whose root digest
   * depends on the listed order).
   *
   * @throws IllegalArgumentException on a duplicate resource name
   */
  public static Manifest ofListed(String modelName, HashingOptions serialization, List<Resource> resources) {
    return new Manifest(modelName, serialization, resources);
  }

  /** A manifest in canonical order (sorted like model_signing sorts its resource descriptors). */
  public static Manifest ofCanonical(String modelName, HashingOptions serialization, List<Resource> resources) {
    List<Resource> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(Resource::name, Manifest::compareNames));
    return new Manifest(modelName, serialization, sorted);
  }

  /** Orders names like Python's PurePosixPath (segment-wise), then shard start, then end. */
  static int compareNames(String a, String b) {
    String[] pa = splitShard(a);
    String[] pb = splitShard(b);
    String[] sa = pa[0].split("/", -1);
    String[] sb = pb[0].split("/", -1);
    int c = Arrays.compare(sa, sb, Manifest::compareCodePoints);
    if (c != 0) {
      return c;
    }
    if (pa.length == 3 && pb.length == 3) {
      c = Long.compare(Long.parseLong(pa[1]), Long.parseLong(pb[1]));
      return c != 0 ? c : Long.compare(Long.parseLong(pa[2]), Long.parseLong(pb[2]));
    }
    return Integer.compare(pa.length, pb.length);
  }

  private static String[] splitShard(String name) {
    int e = name.lastIndexOf(':');
    int s = e > 0 ? name.lastIndexOf(':', e - 1) : -1;
    if (s > 0 && isDigits(name, s + 1, e) && isDigits(name, e + 1, name.length())) {
      return new String[] {name.substring(0, s), name.substring(s + 1, e), name.substring(e + 1)};
    }
    return new String[] {name};
  }

  private static boolean isDigits(String s, int from, int to) {
    if (from >= to || to - from > 18) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** The informative model name (last path component when hashed; subject name when signed). */
  public String modelName() {
    return modelName;
  }

  public HashingOptions serialization() {
    return serialization;
  }

  /** Resources in listed order. */
  public List<Resource> resources() {
    return resources;
  }

  /** Resource by name, or null. */
  public Resource get(String name) {
    return byName.get(name);
  }

  /** Distinct file paths named by the resources (the part before {@code :start:end} for shards). */
  public List<String> filePaths() {
    TreeSet<String> paths = new TreeSet<>();
    for (Resource r : resources) {
      paths.add(serialization.method() == HashingOptions.Method.SHARDS ? splitShard(r.name())[0] : r.name());
    }
    return new ArrayList<>(paths);
  }

  /** SHA-256 over the concatenated raw digests, in listed order. */
  public byte[] rootDigest() {
    MessageDigest md = sha256();
    for (Resource r : resources) {
      md.update(r.digest);
    }
    return md.digest();
  }

  public String rootDigestHex() {
    return HexFormat.of().formatHex(rootDigest());
  }

  /**
   * Compares this (expected) manifest with {@code actual}: names present only in actual are extra,
   * names only here are missing, same name with another digest or algorithm is changed.
   */
  public Diff diff(Manifest actual) {
    List<String> extra = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    for (Resource r : actual.resources) {
      Resource e = byName.get(r.name());
      if (e == null) {
        extra.add(r.name());
      } else if (!e.sameDigest(r)) {
        changed.add(r.name());
      }
    }
    for (Resource e : resources) {
      if (actual.get(e.name()) == null) {
        missing.add(e.name());
      }
    }
    extra.sort(Manifest::compareNames);
    missing.sort(Manifest::compareNames);
    changed.sort(Manifest::compareNames);
    return new Diff(extra, missing, changed);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "Manifest{" + modelName + ", " + resources.size() + " resources, root=" + rootDigestHex() + "}";
  }
}
