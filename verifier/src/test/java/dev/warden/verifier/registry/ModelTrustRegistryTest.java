package dev.warden.verifier.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.verifier.EcCurve;
import dev.warden.verifier.IdentityPolicy;
import dev.warden.verifier.KeyGenerator;
import dev.warden.verifier.ModelSigner;
import dev.warden.verifier.Pem;
import dev.warden.verifier.TestPki;
import dev.warden.verifier.VerificationException;
import dev.warden.verifier.hashing.HashProgress;
import dev.warden.verifier.hashing.HashingOptions;
import dev.warden.verifier.hashing.ModelHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTrustRegistryTest {
  static final ModelHasher HASHER = new ModelHasher(2);
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path tmp;
  KeyPair kp;
  Path pub;

  @AfterAll
  static void closeHasher() {
    HASHER.close();
  }

  @BeforeEach
  void keys() throws Exception {
    kp = KeyGenerator.generate(EcCurve.P256);
    pub = tmp.resolve("key.pub");
    Files.writeString(pub, Pem.publicKeyPem(kp.getPublic()));
  }

  Path model(String name) throws Exception {
    Path m = Files.createDirectories(tmp.resolve(name).resolve("sub"));
    Files.writeString(m.getParent().resolve("weights.bin"), name + " weights");
    Files.writeString(m.resolve("config.json"), "{}");
    ModelSigner.withKey(kp.getPrivate(), HASHER).sign(m.getParent(), tmp.resolve(name + ".sig"), HashingOptions.files(),
        HashProgress.NONE);
    return m.getParent();
  }

  ModelSpec keySpec(String name, ModelSpec.Mode mode) {
    return new ModelSpec(name, "1", tmp.resolve(name), tmp.resolve(name + ".sig"), new ModelSpec.KeyPem(pub), mode,
        List.of());
  }

  static void await(BooleanSupplier cond, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void start_verifiesEveryModel_andReportsReadiness() throws Exception {
    model("good");
    Path badDir = model("bad");
    Files.writeString(badDir.resolve("weights.bin"), "tampered");
    model("audited");
    Files.writeString(tmp.resolve("audited/weights.bin"), "tampered too");
    var chain = TestPki.chain("ci@example.com");
    Path certModel = Files.createDirectories(tmp.resolve("cert"));
    Files.writeString(certModel.resolve("w"), "w");
    ModelSigner.withCertificate(chain.leafKey().getPrivate(), chain.leaf(), List.of(chain.intermediate()), HASHER)
        .sign(certModel, tmp.resolve("cert.sig"), HashingOptions.files(), HashProgress.NONE);
    Path anchor = tmp.resolve("root.pem");
    Files.writeString(anchor, Pem.certificatePem(chain.root()));

    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ZERO).build()) {
      assertTrue(r.ready(), "empty registry is ready");
      List<ModelStatus> all = r.reload(List.of(keySpec("good", ModelSpec.Mode.ENFORCE),
          keySpec("bad", ModelSpec.Mode.ENFORCE), keySpec("audited", ModelSpec.Mode.AUDIT),
          new ModelSpec("cert", "", certModel, tmp.resolve("cert.sig"),
              new ModelSpec.CertificateChain(List.of(anchor), IdentityPolicy.sanEquals("ci@example.com")),
              ModelSpec.Mode.ENFORCE, List.of()))).get(60, TimeUnit.SECONDS);
      assertEquals(List.of("audited@1", "bad@1", "cert", "good@1"), all.stream().map(ModelStatus::key).toList());

      ModelStatus good = r.status("good", "1").orElseThrow();
      assertEquals(ModelState.VERIFIED, good.state());
      assertEquals(64, good.rootDigest().length());
      assertTrue(good.signer().startsWith("key:sha256:"));
      assertNotNull(good.lastCheck());
      assertNull(good.lastError());

      ModelStatus bad = r.status("bad", "1").orElseThrow();
      assertEquals(ModelState.UNVERIFIED, bad.state());
      assertFalse(bad.servable());
      assertEquals(VerificationException.Reason.MANIFEST_MISMATCH, bad.lastErrorCode());
      assertTrue(bad.lastError().contains("changed: weights.bin"), bad.lastError());

      ModelStatus audited = r.status("audited", "1").orElseThrow();
      assertEquals(ModelState.UNVERIFIED, audited.state());
      assertTrue(audited.servable(), "audit mode serves an unverified model");

      assertEquals("ci@example.com", r.status("cert", null).orElseThrow().signer());
      assertFalse(r.ready(), "an enforce-mode model is unverified");
      assertThrows(UnsupportedOperationException.class, () -> r.statuses().add(good));
    }
  }

  @Test
  void fileChange_flipsToPendingThenUnverified_andBackToVerified() throws Exception {
    Path m = model("watched");
    LinkedBlockingQueue<ModelState> states = new LinkedBlockingQueue<>();
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).recheckInterval(Duration.ZERO)
        .debounce(Duration.ofMillis(100)).build()) {
      r.addListener((prev, cur) -> {
        if (cur != null) {
          states.add(cur.state());
        }
      });
      r.reload(List.of(keySpec("watched", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      assertEquals(List.of(ModelState.PENDING, ModelState.VERIFIED), List.of(states.take(), states.take()));
      assertTrue(r.ready());

      Files.writeString(m.resolve("sub/config.json"), "{\"poisoned\":true}");
      assertEquals(ModelState.PENDING, states.poll(30, TimeUnit.SECONDS));
      assertEquals(ModelState.UNVERIFIED, states.poll(30, TimeUnit.SECONDS));
      assertFalse(r.ready());
      assertTrue(r.status("watched", "1").orElseThrow().lastError().contains("changed: sub/config.json"));

      Files.writeString(m.resolve("sub/config.json"), "{}");
      await(() -> r.status("watched", "1").orElseThrow().state() == ModelState.VERIFIED, "re-verified after restore");
      assertTrue(r.ready());
    }
  }

  @Test
  void newFileInNewDirectory_isSeen() throws Exception {
    Path m = model("grown");
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).recheckInterval(Duration.ZERO)
        .debounce(Duration.ofMillis(100)).build()) {
      r.reload(List.of(keySpec("grown", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      // no pause between the two: whether the watcher has registered the new directory yet or not, the file
      // must be seen (by its own event, or by the re-check scheduled after the registration)
      Files.createDirectories(m.resolve("plugins"));
      Files.writeString(m.resolve("plugins/hook.py"), "import os");
      await(() -> {
        ModelStatus s = r.status("grown", "1").orElseThrow();
        return s.state() == ModelState.UNVERIFIED && s.lastError().contains("plugins/hook.py");
      }, "unsigned file in a new directory refused");
    }
  }

  @Test
  void scheduledRecheck_catchesChanges_andSkipsUnchangedFilesByStat() throws Exception {
    Path m = model("scheduled");
    try (var s = Files.walk(m)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
      }
    }
    Thread.sleep(ModelHasher.RACY_WINDOW_NANOS / 1_000_000 + 200);
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ofMillis(200)).build()) {
      r.reload(List.of(keySpec("scheduled", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      ModelStatus first = r.status("scheduled", "1").orElseThrow();
      assertTrue(first.bytesRead() > 0);
      await(() -> {
        ModelStatus s = r.status("scheduled", "1").orElseThrow();
        return s.lastCheck().isAfter(first.lastCheck()) && s.bytesRead() == 0;
      }, "a scheduled check that skipped unchanged files");
      Files.writeString(m.resolve("weights.bin"), "swapped weights");
      await(() -> r.status("scheduled", "1").orElseThrow().state() == ModelState.UNVERIFIED, "scheduled check");
    }
  }

  @Test
  void fullRehashSchedule_readsEveryByteAgain() throws Exception {
    Path m = model("full");
    try (var s = Files.walk(m)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(3600)));
      }
    }
    // past the racy window the stat cache would skip every file (see the scheduled test): only the full
    // re-hash schedule makes later checks read bytes again
    Thread.sleep(ModelHasher.RACY_WINDOW_NANOS / 1_000_000 + 200);
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ofMillis(200)).fullRehashInterval(Duration.ZERO).build()) {
      r.reload(List.of(keySpec("full", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      ModelStatus first = r.status("full", "1").orElseThrow();
      await(() -> {
        ModelStatus s = r.status("full", "1").orElseThrow();
        return s.lastCheck().isAfter(first.lastCheck()) && s.verified();
      }, "a scheduled full re-hash");
      assertEquals(first.bytesRead(), r.status("full", "1").orElseThrow().bytesRead());
      assertTrue(first.bytesRead() > 0);
    }
  }

  @Test
  void aReloadStillQueued_isNotReady_evenThoughNoEnforcedModelIsRegisteredYet() throws Exception {
    model("a");
    model("b");
    java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ZERO).build()) {
      // the first reload's listener holds the (single) checker thread, so the second reload stays queued
      r.addListener((prev, cur) -> {
        if (cur != null && cur.name().equals("a")) {
          try {
            hold.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      });
      var first = r.reload(List.of(keySpec("a", ModelSpec.Mode.AUDIT)));
      var second = r.reload(List.of(keySpec("a", ModelSpec.Mode.AUDIT), keySpec("b", ModelSpec.Mode.ENFORCE)));
      assertFalse(r.ready(), "the enforced model b is not even registered yet: /readyz must not say ready");
      hold.countDown();
      first.get(60, TimeUnit.SECONDS);
      second.get(60, TimeUnit.SECONDS);
      assertTrue(r.ready(), "b verified");
    }
  }

  @Test
  void reload_addsRemovesAndChangesModels() throws Exception {
    model("a");
    model("b");
    LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ZERO).build()) {
      r.addListener((prev, cur) -> events.add((prev == null ? "-" : prev.key() + ":" + prev.state()) + ">"
          + (cur == null ? "-" : cur.key() + ":" + cur.state())));
      r.reload(List.of(keySpec("a", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      events.clear();
      // b added, a's mode changed (new spec), nothing removed
      r.reload(List.of(keySpec("a", ModelSpec.Mode.AUDIT), keySpec("b", ModelSpec.Mode.ENFORCE)))
          .get(60, TimeUnit.SECONDS);
      assertEquals(ModelSpec.Mode.AUDIT, r.status("a", "1").orElseThrow().mode());
      assertEquals(ModelState.VERIFIED, r.status("b", "1").orElseThrow().state());
      assertTrue(events.contains("a@1:VERIFIED>a@1:PENDING"), events.toString());
      assertTrue(events.contains("->b@1:PENDING"), events.toString());
      r.reload(List.of(keySpec("b", ModelSpec.Mode.ENFORCE))).get(60, TimeUnit.SECONDS);
      assertTrue(r.status("a", "1").isEmpty());
      assertTrue(events.contains("a@1:VERIFIED>-"), events.toString());
      assertThrows(IllegalArgumentException.class,
          () -> r.reload(List.of(keySpec("b", ModelSpec.Mode.ENFORCE), keySpec("b", ModelSpec.Mode.AUDIT))));
    }
  }

  @Test
  void missingKeyFile_isUnverifiedWithReason() throws Exception {
    model("nokey");
    try (ModelTrustRegistry r = ModelTrustRegistry.builder().hasher(HASHER).watchFiles(false)
        .recheckInterval(Duration.ZERO).build()) {
      r.reload(List.of(new ModelSpec("nokey", "1", tmp.resolve("nokey"), tmp.resolve("nokey.sig"),
          new ModelSpec.KeyPem(tmp.resolve("absent.pub")), ModelSpec.Mode.ENFORCE, List.of()))).get(60, TimeUnit.SECONDS);
      ModelStatus s = r.status("nokey", "1").orElseThrow();
      assertEquals(ModelState.UNVERIFIED, s.state());
      assertTrue(s.lastError().contains("absent.pub"), s.lastError());
    }
  }
}
