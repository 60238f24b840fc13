package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalPrivacyLedgerTest {
    @TempDir
    Path dir;

    private static final PrivacyCost C = PrivacyCost.ofMicros(1000);

    @Test
    void debitsUpToTheTenantCap_thenRefuses_andNothingIsCharged() throws Exception {
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"),
                LedgerFixtures.only("m", LedgerFixtures.caps(5000, 1_000_000)))) {
            for (int i = 0; i < 5; i++) {
                DebitReceipt r = l.debit("r" + i, "alice", "m", C);
                assertEquals((i + 1) * 1000L, r.status().tenantSpentMicros());
            }
            PrivacyBudgetExhaustedException e = assertThrows(PrivacyBudgetExhaustedException.class,
                    () -> l.debit("r5", "alice", "m", C));
            assertEquals(PrivacyBudgetExhaustedException.Cap.TENANT, e.cap());
            assertEquals("privacy_budget_exhausted", e.code());
            assertEquals(5000, l.status("alice", "m").tenantSpentMicros());
            assertEquals(0.0, l.status("alice", "m").epsilonRemaining());
            // another tenant still has budget
            l.debit("b0", "bob", "m", C);
        }
    }

    @Test
    void reserve_checksCapsAtOnce_andIsDurableAfterAwait() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(2000, 9000)))) {
            DebitReceipt a = l.reserve("a", "t", "m", C);
            DebitReceipt b = l.reserve("b", "t", "m", C);
            assertThrows(PrivacyBudgetExhaustedException.class, () -> l.reserve("c", "t", "m", C),
                    "a reservation counts against the cap before it is durable");
            l.awaitDurable(a);
            l.awaitDurable(b);
            l.awaitDurable(b);
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(2000, 9000)))) {
            assertEquals(2000, l.status("t", "m").tenantSpentMicros());
        }
    }

    @Test
    void compaction_keepsBalancesAndRecentIds_forgetsOldIds_andSurvivesRestart() throws Exception {
        Path j = dir.resolve("j");
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        var policies = LedgerFixtures.only("m", LedgerFixtures.caps(1_000_000, 1_000_000));
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, policies, clock)) {
            for (int i = 0; i < 200; i++) {
                l.debit("old" + i, "t" + (i % 3), "m", C);
            }
            DebitReceipt refundMe = l.debit("refunded", "t0", "m", C);
            l.refund(refundMe);
            now.addAndGet(Duration.ofHours(2).toMillis());
            l.debit("recent", "t1", "m", C);
            l.reserve("pending", "t2", "m", C); // not yet flushed when compaction starts
            long before = Files.size(j);
            long after = l.compact(Duration.ofHours(1));
            assertTrue(after < before / 4, "journal did not shrink: " + before + " -> " + after);
            assertEquals(202_000, l.status("t0", "m").globalSpentMicros()); // 200 old + recent + pending
            l.debit("after", "t0", "m", C);
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, policies, clock)) {
            assertEquals(0, l.droppedTailBytes());
            assertEquals(203_000, l.status("t0", "m").globalSpentMicros());
            assertEquals(68_000, l.status("t0", "m").tenantSpentMicros()); // 67 old + "after"
            assertEquals(68_000, l.status("t1", "m").tenantSpentMicros()); // 67 old + "recent"
            assertEquals(67_000, l.status("t2", "m").tenantSpentMicros()); // 66 old + "pending"
            assertTrue(l.debit("recent", "t1", "m", C).repeated(), "recent ids are kept");
            assertTrue(l.debit("pending", "t2", "m", C).repeated(), "a reserved id is kept");
            assertFalse(l.debit("old5", "t2", "m", C).repeated(), "ids older than the window are forgotten");
        }
    }

    @Test
    void globalCap_isSharedByAllTenants() throws Exception {
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"),
                LedgerFixtures.only("m", LedgerFixtures.caps(5000, 3000)))) {
            l.debit("1", "t1", "m", C);
            l.debit("2", "t2", "m", C);
            l.debit("3", "t3", "m", C);
            PrivacyBudgetExhaustedException e = assertThrows(PrivacyBudgetExhaustedException.class,
                    () -> l.debit("4", "t4", "m", C));
            assertEquals(PrivacyBudgetExhaustedException.Cap.GLOBAL, e.cap());
            assertEquals(0.0, l.status("t4", "m").epsilonRemaining(), "global cap binds the remaining epsilon");
        }
    }

    @Test
    void sameRequestId_isChargedOnce() throws Exception {
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"),
                LedgerFixtures.only("m", LedgerFixtures.caps(5000, 5000)))) {
            DebitReceipt a = l.debit("same", "t", "m", C);
            DebitReceipt b = l.debit("same", "t", "m", C);
            assertFalse(a.repeated());
            assertTrue(b.repeated());
            assertEquals(1000, l.status("t", "m").tenantSpentMicros());
            assertThrows(IllegalArgumentException.class, () -> l.debit("same", "other", "m", C));
        }
    }

    @Test
    void refund_onlyWithoutReleasedOutput_andSurvivesRestart() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(5000, 5000)))) {
            DebitReceipt a = l.debit("a", "t", "m", C);
            DebitReceipt b = l.debit("b", "t", "m", C);
            b.markReleased();
            assertThrows(IllegalStateException.class, () -> l.refund(b));
            l.refund(a);
            l.refund(a); // idempotent
            assertEquals(1000, l.status("t", "m").tenantSpentMicros());
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(5000, 5000)))) {
            assertEquals(1000, l.status("t", "m").tenantSpentMicros());
            assertTrue(l.debit("b", "t", "m", C).repeated(), "request ids survive a restart");
            assertFalse(l.debit("a", "t", "m", C).repeated(), "a refunded request may be charged again");
        }
    }

    @Test
    void unknownModel_andBadIds_areRefused() throws Exception {
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"),
                LedgerFixtures.only("m", LedgerFixtures.caps(5000, 5000)))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> l.debit("x", "t", "nope", C))
                    .getMessage().contains("nope"));
            assertThrows(IllegalArgumentException.class, () -> l.debit("", "t", "m", C));
            assertThrows(IllegalArgumentException.class, () -> l.debit("x", "t\u0000", "m", C));
            assertThrows(IllegalArgumentException.class, () -> l.debit("x", "t", "m", null));
        }
    }

    @Test
    void tornTail_isDroppedAndEarlierDebitsKept() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(50_000, 50_000)))) {
            for (int i = 0; i < 10; i++) {
                l.debit("r" + i, "t", "m", C);
            }
        }
        long size = Files.size(j);
        Files.write(j, new byte[] {0, 0, 0, 40, 'D', 1, 2}, StandardOpenOption.APPEND); // half a record
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(50_000, 50_000)))) {
            assertEquals(7, l.droppedTailBytes());
            assertEquals(10_000, l.status("t", "m").tenantSpentMicros());
            l.debit("r10", "t", "m", C);
        }
        assertTrue(Files.size(j) > size);
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(50_000, 50_000)))) {
            assertEquals(0, l.droppedTailBytes());
            assertEquals(11_000, l.status("t", "m").tenantSpentMicros());
        }
    }

    @Test
    void reservations_reachTheDisk_onTheLedgersOwnThread_withoutAnyoneWaiting() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(9000, 9000)))) {
            long empty = Files.size(j);
            l.reserve("a", "t", "m", C); // nobody calls awaitDurable
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Files.size(j) == empty && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(Files.size(j) > empty, "the flusher thread must write the record by itself");
            assertEquals(1, waitForForces(l, 1));
        }
    }

    @Test
    void groupCommit_forcesEverythingPendingWithOneFsync_andCompletesOnTheFlusherThread() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(90_000, 90_000)))) {
            CountDownLatch hold = new CountDownLatch(1);
            CountDownLatch flusherWaiting = new CountDownLatch(1);
            l.beforeBatch = () -> {
                flusherWaiting.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<CompletableFuture<String>> durable = new ArrayList<>();
            durable.add(l.whenDurable(l.reserve("r0", "t", "m", C)).thenApply(v -> Thread.currentThread().getName())
                    .toCompletableFuture());
            assertTrue(flusherWaiting.await(30, TimeUnit.SECONDS));
            for (int i = 1; i < 50; i++) {
                durable.add(l.whenDurable(l.reserve("r" + i, "t", "m", C)).thenApply(v -> Thread.currentThread().getName())
                        .toCompletableFuture());
            }
            assertTrue(durable.stream().noneMatch(CompletableFuture::isDone), "nothing is durable before the fsync");
            l.beforeBatch = null;
            hold.countDown();
            for (CompletableFuture<String> f : durable) {
                assertEquals("warden-ledger-flush", f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(1, l.forces(), "one fsync covers every record pending when the flusher took its batch");
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(90_000, 90_000)))) {
            assertEquals(50 * C.micros(), l.status("t", "m").tenantSpentMicros());
        }
    }

    @Test
    void whenDurable_ofADurableReceipt_isCompleteAtOnce_andAfterCloseFails() throws Exception {
        Path j = dir.resolve("j");
        JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(9000, 9000)));
        DebitReceipt a = l.debit("a", "t", "m", C);
        assertTrue(l.whenDurable(a).toCompletableFuture().isDone());
        assertFalse(l.reserveMayBlock(), "the embedded reserve does no I/O: an event loop may call it");
        l.close();
        assertThrows(PrivacyLedgerUnavailableException.class, () -> l.reserve("b", "t", "m", C));
    }

    @Test
    void reserveWithAWakeExecutor_handsItTheFlusherWakeUp_andWhenDurableNeedsNoWakeUp() throws Exception {
        Path j = dir.resolve("j");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(9000, 9000)))) {
            List<Runnable> handed = new ArrayList<>();
            DebitReceipt a = l.reserve("a", "t", "m", C, handed::add);
            assertEquals(1, handed.size(), "the flusher's wake-up goes to the caller's executor");
            assertEquals(1000, a.status().tenantSpentMicros(), "reserved at once, before any wake-up");
            // the wake-up is never run: waiting for durability starts the flush itself
            l.whenDurable(a).toCompletableFuture().get(30, TimeUnit.SECONDS);
            handed.get(0).run(); // a late wake-up finds nothing to do and is harmless
            DebitReceipt b = l.reserve("b", "t", "m", C, Runnable::run);
            l.awaitDurable(b);
        }
        try (JournalPrivacyLedger again = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(9000, 9000)))) {
            assertEquals(2000, again.status("t", "m").tenantSpentMicros(), "both debits were journalled");
        }
    }

    private static long waitForForces(JournalPrivacyLedger l, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (l.forces() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return l.forces();
    }

    @Test
    void concurrentDebits_neverPassTheCap_andAllAreDurable() throws Exception {
        Path j = dir.resolve("j");
        long cap = 3_000_000; // 3000 debits of 1000 admitted out of 8 × 500 attempts
        AtomicInteger admitted = new AtomicInteger();
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(cap, cap)))) {
            List<Thread> ts = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 500; i++) {
                        try {
                            l.debit(id + "-" + i, "tenant", "m", C);
                            admitted.incrementAndGet();
                        } catch (PrivacyBudgetExhaustedException e) {
                            // expected once the cap is reached
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(3000, admitted.get());
            assertEquals(cap, l.status("tenant", "m").tenantSpentMicros());
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, LedgerFixtures.only("m", LedgerFixtures.caps(cap, cap)))) {
            assertEquals(cap, l.status("tenant", "m").globalSpentMicros());
        }
    }

    @Test
    void resetPeriod_startsAFreshBudget_onlyWhenThePolicySaysSo() throws Exception {
        PrivacyBudget b = LedgerFixtures.budgetWithCap(1000);
        ModelBudgetPolicy daily = new ModelBudgetPolicy(b, b, Optional.of(Duration.ofDays(1)));
        Instant day1 = Instant.parse("2026-01-01T10:00:00Z");
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"), m -> daily, Clock.fixed(day1, ZoneOffset.UTC))) {
            l.debit("a", "t", "m", C);
            assertThrows(PrivacyBudgetExhaustedException.class, () -> l.debit("b", "t", "m", C));
        }
        try (JournalPrivacyLedger l = JournalPrivacyLedger.open(dir.resolve("j"), m -> daily,
                Clock.fixed(day1.plus(Duration.ofDays(1)), ZoneOffset.UTC))) {
            l.debit("b", "t", "m", C);
        }
    }

    /**
     * Crash: a child JVM debits as fast as it can and prints each acknowledged request id; it is killed with
     * SIGKILL (destroyForcibly) mid-run. After reopening, every acknowledged debit must be in the journal.
     */
    @Test
    void kill9_underLoad_losesNoAcknowledgedDebit() throws Exception {
        Path j = dir.resolve("crash.journal");
        for (int round = 0; round < 2; round++) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    JournalCrashChild.class.getName(), j.toString(), "round" + round);
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            List<String> acked = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((line = r.readLine()) != null && System.nanoTime() < deadline) {
                    if (line.startsWith("ACK ")) {
                        acked.add(line.substring(4));
                        if (acked.size() == 400) {
                            p.destroyForcibly(); // SIGKILL while the child keeps debiting
                            break;
                        }
                    }
                }
            }
            p.waitFor();
            assertEquals(400, acked.size(), "child did not acknowledge enough debits before the deadline");
            try (JournalPrivacyLedger l = JournalPrivacyLedger.open(j, JournalCrashChild.POLICIES)) {
                BudgetStatus s = l.status(JournalCrashChild.TENANT, JournalCrashChild.MODEL);
                long acknowledgedSoFar = (round + 1) * 400L * JournalCrashChild.COST.micros();
                assertTrue(s.tenantSpentMicros() >= acknowledgedSoFar,
                        "spent " + s.tenantSpentMicros() + " < acknowledged " + acknowledgedSoFar);
                for (String id : acked) {
                    assertTrue(l.debit(id, JournalCrashChild.TENANT, JournalCrashChild.MODEL, JournalCrashChild.COST)
                            .repeated(), "acknowledged request " + id + " is missing from the journal");
                }
            }
        }
    }
}
