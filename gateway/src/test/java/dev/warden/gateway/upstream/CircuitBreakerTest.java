package dev.warden.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final CircuitBreaker breaker = new CircuitBreaker(3, 1000, now::get);

  @Test
  void opensAfterThresholdConsecutiveFailures() {
    breaker.onFailure();
    breaker.onFailure();
    assertTrue(breaker.tryAcquire());
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.OPEN, breaker.state());
    assertFalse(breaker.tryAcquire());
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess();
    breaker.onFailure();
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
  }

  @Test
  void afterOpenMs_oneTrialIsLetThrough_andItsOutcomeDecides() {
    for (int i = 0; i < 3; i++) {
      breaker.onFailure();
    }
    now.addAndGet(999_000_000L);
    assertFalse(breaker.tryAcquire(), "still open");
    now.addAndGet(2_000_000L);
    assertTrue(breaker.tryAcquire(), "half-open: one trial");
    assertFalse(breaker.tryAcquire(), "only one trial at a time");
    breaker.onFailure();
    assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "a failed trial re-opens");
    now.addAndGet(1_001_000_000L);
    assertTrue(breaker.tryAcquire());
    breaker.onSuccess();
    assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
    assertTrue(breaker.tryAcquire());
    assertTrue(breaker.tryAcquire());
  }
}
