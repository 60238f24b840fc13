package dev.warden.gateway.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrivacyHeadersTest {
  @Test
  void sixDecimals_writesExactlyWhatStringFormatWrites() {
    SplittableRandom r = new SplittableRandom(4);
    double[] fixed = {0, 1, 0.0000005, 0.0000015, 0.0000025, 2.5e-7, 0.1234565, 1e7, 123456.9999995, 1e-300,
        Double.MIN_VALUE, 1e22, Double.NaN, Double.POSITIVE_INFINITY};
    for (double v : fixed) {
      assertEquals(String.format(Locale.ROOT, "%.6f", v), PrivacyStage.sixDecimals(v), Double.toString(v));
    }
    for (int i = 0; i < 40_000; i++) {
      double v = switch (i % 4) {
        case 0 -> r.nextDouble();
        case 1 -> r.nextDouble() * 1000;
        case 2 -> Math.round(r.nextDouble() * 1e7) / 1e7 + 5e-7; // ties at the sixth decimal
        default -> Math.exp(r.nextDouble(-30, 30));
      };
      assertEquals(String.format(Locale.ROOT, "%.6f", v), PrivacyStage.sixDecimals(v), Double.toString(v));
    }
  }
}
