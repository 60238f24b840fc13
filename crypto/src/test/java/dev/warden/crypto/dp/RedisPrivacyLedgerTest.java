package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a real redis-server on loopback, started per test. */
class RedisPrivacyLedgerTest {
    @TempDir
    Path dir;

    private static final PrivacyCost C = PrivacyCost.ofMicros(1000);

    @Test
    void eightThreadsTimesThousandDebits_admitAtMostTheCap_andTheLedgerEqualsIt() throws Exception {
        long cap = 3_000_000; // room for 3000 of the 8000 attempts
        try (LocalRedis redis = LocalRedis.start(dir, false);
                RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("127.0.0.1", redis.port()),
                        LedgerFixtures.only("m{x}:1", LedgerFixtures.caps(cap, 100_000_000)))) {
            String model = "m{x}:1"; // braces and colons in names must not break the hash tag
            AtomicInteger admitted = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 1000; i++) {
                        try {
                            l.debit("req-" + id + "-" + i, "tenant:a", model, C);
                            admitted.incrementAndGet();
                        } catch (PrivacyBudgetExhaustedException e) {
                            refused.incrementAndGet();
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
            assertEquals(5000, refused.get());
            BudgetStatus s = l.status("tenant:a", model);
            assertEquals(cap, s.tenantSpentMicros());
            assertEquals(cap, s.globalSpentMicros());
            assertEquals(0.0, s.epsilonRemaining());
        }
    }

    @Test
    void idempotency_refund_andGlobalCap() throws Exception {
        try (LocalRedis redis = LocalRedis.start(dir, false);
                RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("127.0.0.1", redis.port()),
                        LedgerFixtures.only("m", LedgerFixtures.caps(5000, 3000)))) {
            DebitReceipt a = l.debit("a", "t1", "m", C);
            assertTrue(l.debit("a", "t1", "m", C).repeated());
            assertThrows(IllegalArgumentException.class, () -> l.debit("a", "t2", "m", C));
            l.debit("b", "t2", "m", C);
            DebitReceipt c = l.debit("c", "t3", "m", C);
            PrivacyBudgetExhaustedException e = assertThrows(PrivacyBudgetExhaustedException.class,
                    () -> l.debit("d", "t4", "m", C));
            assertEquals(PrivacyBudgetExhaustedException.Cap.GLOBAL, e.cap());
            c.markReleased();
            assertThrows(IllegalStateException.class, () -> l.refund(c));
            l.refund(a);
            l.refund(a);
            assertEquals(2000, l.status("t1", "m").globalSpentMicros());
            assertFalse(l.debit("a", "t1", "m", C).repeated(), "a refunded request id may be charged again");
        }
    }

    @Test
    void allKeysOfADebit_shareOneHashTag_evenWithBracesInNames() {
        RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("127.0.0.1", 1), m -> null);
        String[] k = l.keys("ten{a}nt", "mo}d{el:x", 7, "req:{1}");
        String tag = k[0].substring(k[0].indexOf('{') + 1, k[0].indexOf('}'));
        for (String key : k) {
            assertEquals(1, key.chars().filter(ch -> ch == '{').count(), key);
            assertEquals(1, key.chars().filter(ch -> ch == '}').count(), key);
            assertEquals(tag, key.substring(key.indexOf('{') + 1, key.indexOf('}')));
        }
        assertEquals("mo%7Dd%7Bel%3Ax", tag);
    }

    @Test
    void unreachableRedis_failsClosed() throws java.io.IOException {
        // a bound socket that never listens: connections are refused, and unlike a closed ServerSocket's port no
        // server started meanwhile (port 0) can be given it
        try (java.net.Socket reserved = new java.net.Socket()) {
            reserved.setReuseAddress(false);
            reserved.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            assertRefusedClosed(reserved.getLocalPort());
        }
    }

    private static void assertRefusedClosed(int port) {
        try (RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("127.0.0.1", port),
                LedgerFixtures.only("m", LedgerFixtures.caps(5000, 5000)))) {
            PrivacyLedgerUnavailableException e = assertThrows(PrivacyLedgerUnavailableException.class,
                    () -> l.debit("a", "t", "m", C));
            assertEquals("privacy_ledger_unavailable", e.code());
        }
    }

    /**
     * Redis is killed (SIGKILL) while 8 threads debit: requests are refused with
     * PrivacyLedgerUnavailableException; after a restart (AOF, appendfsync always) every acknowledged debit is
     * still there, the total is within the cap, and the same ledger object works again.
     */
    @Test
    void redisStoppedMidRun_refusesRequests_andLosesNothing() throws Exception {
        long cap = 50_000_000;
        try (LocalRedis redis = LocalRedis.start(dir, true);
                RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("127.0.0.1", redis.port())
                        .withCommandTimeout(Duration.ofMillis(500)),
                        LedgerFixtures.only("m", LedgerFixtures.caps(cap, cap)))) {
            AtomicLong acknowledged = new AtomicLong();
            AtomicInteger unavailable = new AtomicInteger();
            ConcurrentLinkedQueue<String> ackedIds = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicInteger attempts = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    // 1000 debits, and on until one started after the kill: with a fixed 1000, a main thread
                    // starved until all 8000 were acknowledged (a loaded CI machine) saw no refusal at all
                    boolean afterKill = false;
                    for (int i = 0; i < 1000 || !afterKill; i++) {
                        afterKill = killed.get();
                        attempts.incrementAndGet();
                        String rid = "k-" + id + "-" + i;
                        try {
                            l.debit(rid, "t", "m", C);
                            acknowledged.incrementAndGet();
                            ackedIds.add(rid);
                        } catch (PrivacyLedgerUnavailableException e) {
                            unavailable.incrementAndGet();
                        } catch (Throwable e) {
                            errors.add(e);
                        }
                    }
                });
                ts.add(th);
                th.start();
            }
            while (acknowledged.get() < 500) {
                Thread.sleep(5);
            }
            redis.kill();
            killed.set(true);
            for (Thread th : ts) {
                th.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertTrue(unavailable.get() > 0, "requests after the kill must be refused");
            assertTrue(attempts.get() >= 8000);
            assertEquals(attempts.get(), acknowledged.get() + unavailable.get());
            assertThrows(PrivacyLedgerUnavailableException.class, () -> l.debit("after", "t", "m", C));

            redis.startProcess(); // same port, same directory: replays the AOF
            BudgetStatus s = l.status("t", "m");
            assertTrue(s.tenantSpentMicros() >= acknowledged.get() * C.micros(),
                    "spent " + s.tenantSpentMicros() + " < acknowledged " + acknowledged.get() * C.micros());
            assertTrue(s.tenantSpentMicros() <= cap);
            for (String rid : ackedIds) {
                assertTrue(l.debit(rid, "t", "m", C).repeated(), rid + " was lost");
            }
            assertFalse(l.debit("fresh", "t", "m", C).repeated());
        }
    }
}
