#!/usr/bin/env bash
# Differential-privacy benchmarks: exact discrete Gaussian throughput, noise-pool take, mechanism apply,
# embedded-ledger debit with group commit, the privacy stage's added latency through a real gateway.
# Builds the bench module, runs JMH briefly, prints JSON lines last.
# Usage: bench/dp.sh [extra JMH args]   (env TARGET_DIR, default target-dp-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${TARGET_DIR:-target-dp-bench}"
mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
JAR="bench/$TARGET_DIR/benchmarks.jar"
OUT="$(mktemp -t dp-jmh-XXXXXX.json)"
LOG="$(mktemp -t dp-jmh-XXXXXX.log)"
java -jar "$JAR" 'dev\.warden\.bench\.dp\..*' -f1 -wi 2 -i 3 -rf json -rff "$OUT" "$@" 2>&1 | tee "$LOG" >&2
# the gateway benchmark's paired figures (printed by its trial tear-down)
grep '^{"bench":"privacy-gateway"' "$LOG" || true
rm -f "$LOG"
# one JSON line per benchmark (and per percentile for sample-time modes)
python3 - "$OUT" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 2)
    line = {"benchmark": ".".join(name[-2:]), "params": r.get("params", {}), "mode": r["mode"],
            "threads": r["threads"], "score": round(r["primaryMetric"]["score"], 3),
            "error": round(r["primaryMetric"].get("scoreError", 0) or 0, 3), "unit": r["primaryMetric"]["scoreUnit"]}
    pct = r["primaryMetric"].get("scorePercentiles", {})
    if r["mode"] == "sample":
        line["p50"] = round(pct.get("50.0", 0), 3)
        line["p99"] = round(pct.get("99.0", 0), 3)
        line["p999"] = round(pct.get("99.9", 0), 3)
    print(json.dumps(line))
PY
rm -f "$OUT"
