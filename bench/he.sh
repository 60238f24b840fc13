#!/usr/bin/env bash
# Homomorphic-encryption benchmarks (pure-Java RNS-CKKS, issue 5 operation names) for N=8192 and N=16384,
# plus encrypted inference of the digits models. Builds the bench module, runs JMH briefly (single thread,
# sample-time mode), prints one JSON line per (N, op) last: {"N":8192,"op":"rotate1","ms":...} (median).
# If node-seal is installed (NODE_SEAL_DIR with node_modules/node-seal and a Node 22 binary in NODE22),
# also runs bench/he-seal.js side by side and prints its lines with "impl":"node-seal".
# Usage: bench/he.sh [extra JMH args]   (env TARGET_DIR, default target-he-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${TARGET_DIR:-target-he-bench}"
mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -Dmaven.test.skip=true package >&2
JAR="bench/$TARGET_DIR/benchmarks.jar"
OUT="$(mktemp -t he-jmh-XXXXXX.json)"
java -jar "$JAR" 'dev\.warden\.bench\.he\..*' -f1 -wi 2 -i 3 -rf json -rff "$OUT" "$@" >&2
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
if [ -n "${NODE22:-}" ] && [ -n "${NODE_SEAL_DIR:-}" ] && [ -f bench/he-seal.js ]; then
  NODE_PATH="$NODE_SEAL_DIR/node_modules" "$NODE22" bench/he-seal.js
fi
