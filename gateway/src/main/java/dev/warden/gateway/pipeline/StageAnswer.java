package dev.warden.gateway.pipeline;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A stage answering the request itself instead of forwarding it (e.g. screening's {@code silent}
 * action replays an earlier answer). Thrown like a {@link StageRejection}; the pipeline writes the
 * answer, records the exchange and stops.
 */
public final class StageAnswer extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient MultiMap headers;
  private final transient Buffer body;

  public StageAnswer(int status, MultiMap headers, Buffer body) {
    super("answered locally", null, false, false);
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public MultiMap headers() {
    return headers;
  }

  public Buffer body() {
    return body;
  }
}
