package dev.warden.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  private static final String STREAM = ": keep-alive comment\n"
      + "event: message\nid: 1\ndata: {\"a\":\"h\u00e9llo \u2603\"}\n\n"
      + "data: line one\r\ndata: line two\r\n\r\n"
      + "retry: 100\n"
      + "data:no-space\r\r"
      + "data: [DONE]\n\n";
  private static final List<String> EVENTS = List.of("{\"a\":\"h\u00e9llo \u2603\"}", "line one\nline two", "no-space", "[DONE]");

  private static List<String> parse(byte[] bytes, int chunk) {
    List<String> out = new ArrayList<>();
    SseParser p = new SseParser(out::add);
    for (int i = 0; i < bytes.length; i += chunk) {
      p.feed(Buffer.buffer().appendBytes(bytes, i, Math.min(chunk, bytes.length - i)));
    }
    assertEquals(out.size(), p.events());
    return out;
  }

  @Test
  void wholeStream_yieldsEachEventsJoinedData() {
    assertEquals(EVENTS, parse(STREAM.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE));
  }

  @Test
  void chunksCutAnywhere_evenInsideUtf8AndCrlf_yieldTheSameEvents() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int chunk = 1; chunk <= 17; chunk++) {
      assertEquals(EVENTS, parse(bytes, chunk), "chunk size " + chunk);
    }
  }

  @Test
  void anUnterminatedEvent_isNotReported() {
    assertEquals(List.of("x"), parse("data: x\n\ndata: partial\n".getBytes(StandardCharsets.UTF_8), 4));
  }

  @Test
  void anOversizedLine_isBoundedAndFlagged() {
    List<String> out = new ArrayList<>();
    SseParser p = new SseParser(out::add);
    byte[] big = new byte[SseParser.MAX_EVENT_BYTES + 1000];
    java.util.Arrays.fill(big, (byte) 'x');
    p.feed(Buffer.buffer("data: "));
    p.feed(Buffer.buffer(big));
    p.feed(Buffer.buffer("\n\ndata: next\n\n"));
    assertTrue(p.overflowed());
    assertEquals("next", out.get(out.size() - 1));
    assertTrue(out.stream().allMatch(s -> s.length() <= SseParser.MAX_EVENT_BYTES));
  }

  @Test
  void aNormalStream_doesNotOverflow() {
    SseParser p = new SseParser(s -> { });
    p.feed(Buffer.buffer(STREAM));
    assertFalse(p.overflowed());
  }
}
