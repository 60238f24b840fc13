package dev.warden.gateway.he;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A {@link SecureRandom} for re-creating a stored key set: its first 32-byte draw is the stored seed
 * (which {@code KeyGenerator.genSecretKey} expands into the ternary secret with AES-CTR), every later
 * draw comes from a real {@code SecureRandom}. So the secret key is reproducible from the 32-byte seed
 * kept in {@link HeKeyStore}, while encryption, error and evaluation-key randomness stay fresh.
 *
 * <p>The crypto library deliberately has no secret-key serialiser; this relies on
 * {@code EncryptedInference.KeyHolder.create} drawing the secret key's seed first, which
 * {@code HeKeyStoreTest} checks (a re-created holder decrypts what the original's key encrypted).
 */
final class KeySeedRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final transient SecureRandom delegate;
  private transient byte[] seed;

  KeySeedRandom(byte[] seed, SecureRandom delegate) {
    if (seed.length != 32) {
      throw new IllegalArgumentException("seed must be 32 bytes");
    }
    this.seed = seed.clone();
    this.delegate = delegate;
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    if (seed != null) {
      if (bytes.length != 32) {
        throw new IllegalStateException("key generation did not start with the 32-byte secret seed");
      }
      System.arraycopy(seed, 0, bytes, 0, 32);
      Arrays.fill(seed, (byte) 0);
      seed = null;
      return;
    }
    delegate.nextBytes(bytes);
  }

  @Override
  public byte[] generateSeed(int n) {
    return delegate.generateSeed(n);
  }

  @Override
  public String toString() {
    return "KeySeedRandom";
  }
}
