package dev.warden.crypto.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code rediss://}: the trust anchors are either the JDK's default ones or, when a CA file is given,
 * only the certificates in that PEM file (a private CA for the Redis servers). The hostname check is done by
 * {@link RespConnection} on every handshake.
 */
public final class RedisTls {
    private RedisTls() {}

    /** A socket factory trusting {@code caPem}'s certificates only, or the JDK defaults when it is null. */
    public static SSLSocketFactory socketFactory(Path caPem) throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            if (caPem == null) {
                ctx.init(null, null, null);
                return ctx.getSocketFactory();
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            try (InputStream in = Files.newInputStream(caPem)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca-" + i++, c);
                }
            }
            if (i == 0) {
                throw new IOException("no certificate in CA file " + caPem);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read CA file " + caPem + ": " + e.getMessage(), e);
        }
    }

    static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
