package dev.warden.crypto.dp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Per-thread random bits from the JDK's NIST SP 800-90A DRBG ({@code SecureRandom.getInstance("DRBG")},
 * 256-bit strength, seeded by the platform's entropy source).
 *
 * <p>Why per thread: a {@code SecureRandom} is internally synchronised; sharing one between request threads
 * and the pool fillers would serialise them. Each thread gets its own DRBG instance, instantiated lazily,
 * with a personalisation string naming the thread so two instances never share a state even if the entropy
 * source misbehaved. Bytes are drawn in blocks of {@link #BLOCK_BYTES} (one DRBG call) and handed out bit by
 * bit; the exact samplers need only a few dozen bits per sample.
 */
final class SecureBits extends RandomBits.Buffered {

    /** One DRBG generate call per 512 bytes: amortises the call overhead, well under the 2^16-byte request cap. */
    private static final int BLOCK_BYTES = 512;

    private static final ThreadLocal<SecureBits> PER_THREAD = ThreadLocal.withInitial(SecureBits::new);

    private final SecureRandom drbg;
    private final byte[] block = new byte[BLOCK_BYTES];
    private final ByteBuffer view = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);

    private SecureBits() {
        try {
            byte[] personalization = ("warden-dp/" + Thread.currentThread().getId() + "/" + System.nanoTime())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.drbg = SecureRandom.getInstance("DRBG",
                    DrbgParameters.instantiation(256, DrbgParameters.Capability.NONE, personalization));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK DRBG (SecureRandom \"DRBG\", 256-bit) is not available", e);
        }
        view.position(BLOCK_BYTES);
    }

    /** The calling thread's source. Never share the returned object with another thread. */
    static SecureBits forCurrentThread() {
        return PER_THREAD.get();
    }

    @Override
    long refill() {
        if (view.remaining() < Long.BYTES) {
            drbg.nextBytes(block);
            view.clear();
        }
        return view.getLong();
    }
}
