package dev.warden.gateway.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void burstIsAvailableAtOnce_thenTheWaitIsUntilTheNextToken() {
    TokenBucket b = new TokenBucket(2, 3, 0);
    assertEquals(0, b.tryTake(0));
    assertEquals(0, b.tryTake(0));
    assertEquals(0, b.tryTake(0));
    long wait = b.tryTake(0);
    assertTrue(Math.abs(wait - SECOND / 2) < 1000, "one token takes half a second at 2/s: " + wait);
  }

  @Test
  void tokensRefillAtTheRate_uptoTheBurst() {
    TokenBucket b = new TokenBucket(1, 2, 0);
    b.tryTake(0);
    b.tryTake(0);
    assertTrue(b.tryTake(SECOND / 2) > 0);
    assertEquals(0, b.tryTake(SECOND + SECOND / 2));
    // a long idle period refills to the burst only
    assertEquals(0, b.tryTake(100 * SECOND));
    assertEquals(0, b.tryTake(100 * SECOND));
    assertTrue(b.tryTake(100 * SECOND) > 0);
  }

  @Test
  void timeGoingBackwards_grantsNothingExtra() {
    TokenBucket b = new TokenBucket(1, 1, 10 * SECOND);
    assertEquals(0, b.tryTake(10 * SECOND));
    assertTrue(b.tryTake(5 * SECOND) > 0);
  }
}
