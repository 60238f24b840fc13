package dev.warden.verifier.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Known answers from model_signing's own goldens (fixtures/model-transparency/goldens), built from the same
 * trees as upstream's tests/conftest.py; plus the hashing safety rules.
 */
class ModelHasherTest {
  static final ModelHasher HASHER = new ModelHasher(2);

  @AfterAll
  static void close() {
    HASHER.close();
  }

  static Path sampleModelFolder(Path tmp) throws IOException {
    Path root = tmp.resolve("sample_model");
    Files.createDirectories(root);
    for (int i = 0; i < 2; i++) {
      Path d = Files.createDirectories(root.resolve("d" + i));
      for (int j = 0; j < 3; j++) {
        Files.writeString(d.resolve("f" + i + j), "This is file f" + i + j + " in d" + i + ".");
      }
    }
    for (int i = 0; i < 4; i++) {
      Files.writeString(root.resolve("f" + i), "This is file f" + i + " in root.");
    }
    return root;
  }

  static void assertGolden(String golden, Manifest m) throws IOException {
    JsonNode g = new ObjectMapper().readTree(dev.warden.verifier.Fixtures.mt("goldens/" + golden + ".json").toFile());
    assertEquals(g.at("/subject/0/digest/sha256").asText(), m.rootDigestHex(), "root digest of " + golden);
    JsonNode res = g.at("/predicate/resources");
    assertEquals(res.size(), m.resources().size());
    for (int i = 0; i < res.size(); i++) {
      assertEquals(res.get(i).get("name").asText(), m.resources().get(i).name(), "order of " + golden);
      assertEquals(res.get(i).get("digest").asText(), m.resources().get(i).digestHex());
      assertEquals(res.get(i).get("algorithm").asText(), m.resources().get(i).algorithm());
    }
  }

  @Test
  void sampleFolder_filesMethod_matchesModelSigningGolden(@TempDir Path tmp) throws Exception {
    assertGolden("sample_model_folder", HASHER.hash(sampleModelFolder(tmp), HashingOptions.files()));
  }

  @Test
  void sampleFolder_smallShards_matchesModelSigningGolden(@TempDir Path tmp) throws Exception {
    assertGolden("sample_model_folder_small_shards", HASHER.hash(sampleModelFolder(tmp), HashingOptions.shards(8)));
  }

  @Test
  void singleFile_matchesModelSigningGolden(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("file_model");
    Files.writeString(f, "This is a simple model");
    assertGolden("sample_model_file", HASHER.hash(f, HashingOptions.files()));
    assertGolden("sample_model_file_small_shards", HASHER.hash(f, HashingOptions.shards(8)));
  }

  @Test
  void deepFolder_smallShards_matchesGolden(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("deep_model");
    Path cur = root;
    for (int i = 0; i < 5; i++) {
      cur = cur.resolve("d" + i);
    }
    Files.createDirectories(cur);
    for (int i = 0; i < 4; i++) {
      Files.writeString(cur.resolve("f" + i), "This is file f" + i + ".");
    }
    assertGolden("deep_model_folder_small_shards", HASHER.hash(root, HashingOptions.shards(8)));
  }

  @Test
  void emptyFolder_andEmptyFile_matchGoldens(@TempDir Path tmp) throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty_folder_model"));
    Manifest m = HASHER.hash(empty, HashingOptions.files());
    assertEquals(0, m.resources().size());
    assertGolden("empty_model_folder", m);
    Path withEmpty = Files.createDirectories(tmp.resolve("empty_file_inside_model"));
    Files.write(withEmpty.resolve("empty_file"), new byte[0]);
    assertGolden("model_folder_with_empty_file", HASHER.hash(withEmpty, HashingOptions.files()));
    // in shard mode an empty file has no shard at all (as in model_signing)
    assertEquals(0, HASHER.hash(withEmpty, HashingOptions.shards(8)).resources().size());
  }

  @Test
  void shards_coverLargeFileExactly_andMatchFileDigest(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("m"));
    byte[] data = new byte[5 * 1024 * 1024 + 123];
    new Random(1).nextBytes(data);
    Files.write(root.resolve("big.bin"), data);
    Manifest m = HASHER.hash(root, HashingOptions.shards(2 * 1024 * 1024));
    assertEquals(List.of("big.bin:0:2097152", "big.bin:2097152:4194304", "big.bin:4194304:5243003"),
        m.resources().stream().map(Manifest.Resource::name).toList());
    Manifest files = HASHER.hash(root, HashingOptions.files());
    assertEquals(java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(data)), files.resources().get(0).digestHex());
  }

  @Test
  void defaultIgnores_skipGitMetadata(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    Files.createDirectories(root.resolve(".git/objects"));
    Files.writeString(root.resolve(".git/objects/x"), "x");
    Files.writeString(root.resolve(".gitattributes"), "x");
    assertGolden("sample_model_folder", HASHER.hash(root, HashingOptions.files()));
  }

  @Test
  void symlinkOutsideTree_isRefused_evenWhenSymlinksAllowed(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "outside");
    Files.createSymbolicLink(root.resolve("link"), secret);
    var e1 = assertThrows(HashingException.class, () -> HASHER.hash(root, HashingOptions.files()));
    assertEquals(HashingException.Kind.SYMLINK_REFUSED, e1.kind());
    assertTrue(e1.getMessage().contains("'link' is a symbolic link and allow_symlinks is false"), e1.getMessage());
    var e2 = assertThrows(HashingException.class,
        () -> HASHER.hash(root, HashingOptions.files().withAllowSymlinks(true)));
    assertEquals(HashingException.Kind.SYMLINK_ESCAPES, e2.kind());
    assertTrue(e2.getMessage().contains("points outside the model"), e2.getMessage());
  }

  @Test
  void symlinkDirectoryEscape_isRefused(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("weights"), "w");
    Files.createSymbolicLink(root.resolve("d0/escape"), outside);
    var e = assertThrows(HashingException.class, () -> HASHER.hash(root, HashingOptions.files().withAllowSymlinks(true)));
    assertEquals(HashingException.Kind.SYMLINK_ESCAPES, e.kind());
  }

  @Test
  void symlinkInsideTree_isHashedAsItsTarget_whenAllowed(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    Files.createSymbolicLink(root.resolve("alias"), root.resolve("f0"));
    Manifest m = HASHER.hash(root, HashingOptions.files().withAllowSymlinks(true));
    assertEquals(m.get("f0").digestHex(), m.get("alias").digestHex());
  }

  @Test
  void fileModifiedWhileHashed_failsInsteadOfTornDigest(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("m"));
    Path f = root.resolve("weights.bin");
    Files.write(f, new byte[3 * ModelHasher.CHUNK_BYTES]);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
    AtomicBoolean once = new AtomicBoolean();
    HashProgress writer = new HashProgress() {
      @Override
      public void hashed(String relPath, long bytes) {
        if (once.compareAndSet(false, true)) {
          try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("tamper".getBytes(StandardCharsets.UTF_8)), 4L * 1024 * 1024 + 10);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    var e = assertThrows(HashingException.class,
        () -> HASHER.hash(root, HashingOptions.files(), null, null, writer));
    assertEquals(HashingException.Kind.MODIFIED_WHILE_HASHED, e.kind());
    assertTrue(e.getMessage().contains("'weights.bin' was modified while being hashed"), e.getMessage());
  }

  @Test
  void fileTruncatedWhileHashed_fails(@TempDir Path tmp) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("m"));
    Path f = root.resolve("weights.bin");
    Files.write(f, new byte[3 * ModelHasher.CHUNK_BYTES]);
    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
    AtomicBoolean once = new AtomicBoolean();
    HashProgress truncator = new HashProgress() {
      @Override
      public void hashed(String relPath, long bytes) {
        if (once.compareAndSet(false, true)) {
          try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ModelHasher.CHUNK_BYTES + 5);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    var e = assertThrows(HashingException.class, () -> HASHER.hash(root, HashingOptions.files(), null, null, truncator));
    assertEquals(HashingException.Kind.MODIFIED_WHILE_HASHED, e.kind());
  }

  @Test
  void statCache_skipsUnchangedFiles_andRehashesChangedOnes(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    List<Path> all = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.filter(Files::isRegularFile).forEach(all::add);
    }
    for (Path p : all) {
      Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
    }
    // ctime is "now" after setLastModifiedTime: wait out the racy window once
    Thread.sleep(ModelHasher.RACY_WINDOW_NANOS / 1_000_000 + 100);
    StatCache cache = new StatCache();
    var first = HASHER.hash(root, HashingOptions.files(), null, cache, HashProgress.NONE);
    assertEquals(first.bytes(), first.bytesRead());
    assertEquals(10, cache.size());
    var second = HASHER.hash(root, HashingOptions.files(), null, cache, HashProgress.NONE);
    assertEquals(0, second.bytesRead());
    assertEquals(first.manifest().rootDigestHex(), second.manifest().rootDigestHex());
    Files.writeString(root.resolve("f1"), "This is file f1 in root!");
    var third = HASHER.hash(root, HashingOptions.files(), null, cache, HashProgress.NONE);
    assertTrue(third.bytesRead() > 0);
    assertTrue(!first.manifest().get("f1").digestHex().equals(third.manifest().get("f1").digestHex()));
  }

  @Test
  void fifo_isRefused(@TempDir Path tmp) throws Exception {
    Path root = sampleModelFolder(tmp);
    Process p = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo unavailable");
    var e = assertThrows(HashingException.class, () -> HASHER.hash(root, HashingOptions.files()));
    assertEquals(HashingException.Kind.NOT_REGULAR_FILE, e.kind());
  }
}
