package dev.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental Server-Sent Events parser: feed it the bytes of a stream as they arrive (in chunks
 * cut anywhere, even inside a UTF-8 sequence or a CRLF) and it calls back once per complete event with
 * the event's joined {@code data:} lines. It only observes: the gateway relays the original bytes
 * unchanged, chunk by chunk, and uses the events to read token usage.
 */
public final class SseParser {
  /** Bound on one event's size, so a backend cannot make the gateway buffer without limit. */
  public static final int MAX_EVENT_BYTES = 1 << 20;

  private final Consumer<String> onEventData;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final StringBuilder data = new StringBuilder();
  private boolean sawCr;
  private boolean overflowed;
  private int events;

  public SseParser(Consumer<String> onEventData) {
    this.onEventData = onEventData;
  }

  public void feed(Buffer chunk) {
    for (int i = 0; i < chunk.length(); i++) {
      byte b = chunk.getByte(i);
      if (b == '\n') {
        if (sawCr) {
          sawCr = false;
          continue; // CRLF: the CR already ended the line
        }
        endLine();
      } else if (b == '\r') {
        sawCr = true;
        endLine();
      } else {
        sawCr = false;
        if (line.size() < MAX_EVENT_BYTES) {
          line.write(b);
        } else {
          overflowed = true;
        }
      }
    }
  }

  /** Events seen so far. */
  public int events() {
    return events;
  }

  /** Whether a line exceeded {@link #MAX_EVENT_BYTES} (its excess was not inspected). */
  public boolean overflowed() {
    return overflowed;
  }

  private void endLine() {
    String l = line.toString(StandardCharsets.UTF_8);
    line.reset();
    if (l.isEmpty()) {
      if (data.length() > 0) {
        events++;
        String d = data.toString();
        data.setLength(0);
        onEventData.accept(d);
      }
      return;
    }
    if (l.startsWith("data:")) {
      String v = l.substring(5);
      if (v.startsWith(" ")) {
        v = v.substring(1);
      }
      if (data.length() > 0) {
        data.append('\n');
      }
      if (data.length() + v.length() <= MAX_EVENT_BYTES) {
        data.append(v);
      } else {
        overflowed = true;
      }
    }
    // comments (":"), "event:", "id:", "retry:" are relayed but not needed here
  }
}
