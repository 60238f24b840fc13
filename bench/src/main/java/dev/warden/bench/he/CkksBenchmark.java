package dev.warden.bench.he;

import dev.warden.crypto.he.ckks.Encoder;
import dev.warden.crypto.he.ckks.Evaluator;
import dev.warden.crypto.he.rlwe.Ciphertext;
import dev.warden.crypto.he.rlwe.Decryptor;
import dev.warden.crypto.he.rlwe.Encryptor;
import dev.warden.crypto.he.rlwe.EvaluationKeys;
import dev.warden.crypto.he.rlwe.KeyGenerator;
import dev.warden.crypto.he.rlwe.Parameters;
import dev.warden.crypto.he.rlwe.Plaintext;
import dev.warden.crypto.he.rlwe.PublicKey;
import dev.warden.crypto.he.rlwe.SecretKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-operation latency of Warden's pure-Java RNS-CKKS, single thread, under the operation names of the
 * SEAL comparison in issue 5 (node-seal 7 = SEAL 4.1 as WebAssembly; native SEAL 4.4):
 * N = 8192 with moduli {60, 40, 40 | 60} and N = 16384 with {60, 40×5 | 60}, scale 2^40, operations at the
 * top level. {@code dot784_ct_pt}: ct×pt of a 784-vector, rescale, rotate-and-sum over 1024 slots (10
 * rotations); {@code dot784_e2e}: encode, encrypt, dot, decrypt, decode.
 *
 * <p>Run: {@code bench/he.sh} (builds, runs {@code java -jar bench/target-he-bench/benchmarks.jar
 * 'dev\.warden\.bench\.he\..*' -f1 -wi 2 -i 3}, prints JSON lines {"N":…,"op":…,"ms":…}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CkksBenchmark {
  @Param({"8192", "16384"})
  public int n;

  Parameters params;
  Encoder encoder;
  Encryptor encSk;
  Encryptor encPk;
  Decryptor decryptor;
  Evaluator evaluator;
  double[] values;
  double[] weights784;
  Plaintext pt;
  Plaintext ptWeights;
  Ciphertext ct1;
  Ciphertext ct2;
  Ciphertext product;
  Ciphertext relinearized;

  @Setup
  public void setUp() {
    params = n == 8192 ? Parameters.CKKS_128_LOGN13_LOGQP200 : Parameters.CKKS_128_LOGN14_LOGQP320;
    SecureRandom random = new SecureRandom();
    KeyGenerator kg = new KeyGenerator(params, random);
    SecretKey sk = kg.genSecretKey();
    PublicKey pk = kg.genPublicKey(sk);
    List<Integer> steps = new ArrayList<>();
    for (int s = 1; s < 1024; s <<= 1) {
      steps.add(s);
    }
    EvaluationKeys evk = kg.genEvaluationKeys(sk, true, steps, false);
    encoder = new Encoder(params);
    encSk = Encryptor.withSecretKey(sk, random);
    encPk = Encryptor.withPublicKey(pk, random);
    decryptor = new Decryptor(sk);
    evaluator = new Evaluator(params, evk);
    values = new double[params.slots()];
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.sin(i) * 0.5;
    }
    weights784 = new double[784];
    for (int i = 0; i < 784; i++) {
      weights784[i] = Math.cos(i) * 0.01;
    }
    int top = params.maxLevel();
    pt = encoder.encode(values, top, params.defaultScale());
    ptWeights = encoder.encode(weights784, top, params.q(top));
    ct1 = encSk.encrypt(pt);
    ct2 = encPk.encrypt(pt);
    product = evaluator.multiply(ct1, ct2);
    relinearized = evaluator.relinearize(product);
  }

  @Benchmark
  public Plaintext encode() {
    return encoder.encode(values, params.maxLevel(), params.defaultScale());
  }

  @Benchmark
  public Ciphertext encrypt_sk() {
    return encSk.encrypt(pt);
  }

  @Benchmark
  public Ciphertext encrypt_pk() {
    return encPk.encrypt(pt);
  }

  @Benchmark
  public Ciphertext add() {
    return evaluator.add(ct1, ct2);
  }

  @Benchmark
  public Ciphertext multiply_plain() {
    return evaluator.multiplyPlain(ct1, pt);
  }

  @Benchmark
  public Ciphertext multiply() {
    return evaluator.multiply(ct1, ct2);
  }

  @Benchmark
  public Ciphertext relinearize() {
    return evaluator.relinearize(product);
  }

  @Benchmark
  public Ciphertext rescale() {
    return evaluator.rescale(relinearized);
  }

  @Benchmark
  public Ciphertext mul_relin_rescale() {
    return evaluator.multiplyRelinRescale(ct1, ct2);
  }

  @Benchmark
  public Ciphertext rotate1() {
    return evaluator.rotate(ct1, 1);
  }

  @Benchmark
  public double[] decrypt_decode() {
    // decrypt at the lowest level (as SafeDecryptor does): drop limbs, decrypt, decode
    return encoder.decode(decryptor.decrypt(evaluator.dropLevel(ct1, 0)));
  }

  private Ciphertext dot(Ciphertext x) {
    Ciphertext m = evaluator.rescale(evaluator.multiplyPlain(x, ptWeights));
    return evaluator.sumSlots(m, 1024);
  }

  @Benchmark
  public Ciphertext dot784_ct_pt() {
    return dot(ct1);
  }

  @Benchmark
  public double dot784_e2e() {
    Ciphertext x = encSk.encrypt(encoder.encode(values, params.maxLevel(), params.defaultScale()));
    Ciphertext d = dot(x);
    return encoder.decode(decryptor.decrypt(evaluator.dropLevel(d, 0)))[0];
  }
}
