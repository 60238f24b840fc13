package dev.warden.gateway.runtime;

import dev.warden.gateway.pipeline.Exchange;

/** Where finished exchanges are recorded (step 10). Must not block the event loop. */
public interface AuditSink extends AutoCloseable {
  AuditSink NONE = new AuditSink() {
    @Override
    public void record(Exchange ex, int status, long latencyNanos) {}

    @Override
    public void close() {}
  };

  void record(Exchange ex, int status, long latencyNanos);

  @Override
  void close();
}
