package dev.warden.crypto.dp;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA and a server certificate for a TLS {@code redis-server} in tests, written as PEM files:
 * {@code ca.pem}, {@code server.pem}, {@code server.key}. The server certificate names {@code localhost} only, so
 * connecting to {@code 127.0.0.1} must fail the hostname check.
 */
public record TestCerts(Path ca, Path cert, Path key) {

    /** Writes a fresh CA and server certificate (P-256, valid one day) into {@code dir}. */
    public static TestCerts write(Path dir) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        KeyPair caKeys = g.generateKeyPair();
        KeyPair serverKeys = g.generateKeyPair();
        Date from = new Date(System.currentTimeMillis() - 60_000);
        Date to = new Date(System.currentTimeMillis() + 86_400_000);
        X500Name caName = new X500Name("CN=warden test CA");
        X509CertificateHolder ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, to, caName,
                caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
        X509CertificateHolder server = new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, from, to,
                new X500Name("CN=localhost"), serverKeys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
        TestCerts c = new TestCerts(dir.resolve("ca.pem").toAbsolutePath(), dir.resolve("server.pem").toAbsolutePath(),
                dir.resolve("server.key").toAbsolutePath());
        Files.writeString(c.ca, pem(ca));
        Files.writeString(c.cert, pem(server));
        Files.writeString(c.key, "-----BEGIN PRIVATE KEY-----\n" // PKCS#8, which OpenSSL 3 reads
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .encodeToString(serverKeys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return c;
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }
}
