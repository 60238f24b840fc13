package dev.warden.verifier.oms;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * DSSE v1 pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(body) SP body}, lengths
 * in ASCII decimal bytes. The signature covers this encoding, never the bare payload, so a payload cannot
 * be re-interpreted under another type.
 */
public final class Dsse {
  private Dsse() {}

  /** PAE(type, body). */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
