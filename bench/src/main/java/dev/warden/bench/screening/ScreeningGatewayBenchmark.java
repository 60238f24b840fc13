package dev.warden.bench.screening;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The screening stage's added latency through a real gateway on loopback: the same OIP JSON request (one
 * 8x8 digit, distinct bodies) sent over one connection to a route without screening ({@code plainRoute})
 * and to the same model behind the image screens ({@code screenedRoute}: input digest, Blacklight query
 * store, MagNet autoencoder; see {@link ScreeningGatewayFixture}). Added latency = screened − plain, per
 * percentile, both measured in the same JVM and gateway. {@link ScreeningStageCost} measures the same pair
 * interleaved request by request, with CPU time. Competitor: the plain route. Target: ≤ 1 ms p99 added.
 *
 * <p>Run: {@code bench/screening.sh ScreeningGatewayBenchmark} or
 * {@code java -jar bench/target-screening-bench/benchmarks.jar ScreeningGatewayBenchmark -f1 -wi 3 -i 5}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class ScreeningGatewayBenchmark {
  private ScreeningGatewayFixture fixture;

  @Setup
  public void setup() throws Exception {
    fixture = new ScreeningGatewayFixture();
  }

  @TearDown
  public void tearDown() throws Exception {
    fixture.close();
  }

  @Benchmark
  public int plainRoute() throws Exception {
    return fixture.plain();
  }

  @Benchmark
  public int screenedRoute() throws Exception {
    return fixture.screened();
  }
}
