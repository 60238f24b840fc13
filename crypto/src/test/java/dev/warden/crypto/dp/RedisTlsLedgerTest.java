package dev.warden.crypto.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.redis.RedisTls;
import dev.warden.crypto.redis.RespPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger and the shared RESP client over TLS ({@code rediss://}) against a real TLS-only redis-server. */
class RedisTlsLedgerTest {
    @TempDir
    Path dir;

    @Test
    void ledgerDebitsOverTls_withTheServerCheckedAgainstTheCaFile() throws Exception {
        TestCerts certs = TestCerts.write(dir);
        try (LocalRedis redis = LocalRedis.startTls(dir, certs);
                RedisPrivacyLedger l = RedisPrivacyLedger.create(RedisLedgerConfig.of("localhost", redis.port())
                        .withTls(RedisTls.socketFactory(certs.ca())),
                        LedgerFixtures.only("m", LedgerFixtures.caps(2000, 100_000)))) {
            l.debit("r1", "t", "m", PrivacyCost.ofMicros(1000));
            l.debit("r2", "t", "m", PrivacyCost.ofMicros(1000));
            assertThrows(PrivacyBudgetExhaustedException.class, () -> l.debit("r3", "t", "m", PrivacyCost.ofMicros(1000)));
            assertEquals(2000, l.status("t", "m").tenantSpentMicros());
        }
    }

    @Test
    void certificateForAnotherName_isRefusedBeforeAnyCommand() throws Exception {
        TestCerts certs = TestCerts.write(dir);
        try (LocalRedis redis = LocalRedis.startTls(dir, certs);
                RespPool byIp = new RespPool("127.0.0.1", redis.port(), RedisTls.socketFactory(certs.ca()), null,
                        Duration.ofSeconds(1), Duration.ofSeconds(2), 1)) {
            Exception e = assertThrows(Exception.class, () -> byIp.call("PING"));
            assertTrue(e.toString().contains("No subject alternative names") || e.toString().contains("certificate"),
                    e.toString());
        }
    }

    @Test
    void serverSignedByAnUntrustedCa_isRefused() throws Exception {
        TestCerts certs = TestCerts.write(dir);
        Path other = Files.createDirectories(dir.resolve("other"));
        TestCerts stranger = TestCerts.write(other);
        try (LocalRedis redis = LocalRedis.startTls(dir, certs);
                RespPool pool = new RespPool("localhost", redis.port(), RedisTls.socketFactory(stranger.ca()), null,
                        Duration.ofSeconds(1), Duration.ofSeconds(2), 1);
                RespPool plain = new RespPool("localhost", redis.port(), null, null, Duration.ofSeconds(1),
                        Duration.ofMillis(500), 1)) {
            assertThrows(javax.net.ssl.SSLException.class, () -> pool.call("PING"));
            assertThrows(java.io.IOException.class, () -> plain.call("PING")); // a TLS port does not speak plain RESP
            try (RespPool good = new RespPool("localhost", redis.port(), RedisTls.socketFactory(certs.ca()), null,
                    Duration.ofSeconds(1), Duration.ofSeconds(2), 1)) {
                assertEquals("PONG", good.call("PING"));
            }
        }
    }
}
