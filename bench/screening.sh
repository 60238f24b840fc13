#!/usr/bin/env bash
# Screening benchmarks (detectors module): Blacklight fingerprint (784 and 64 values), query-store
# check-and-add at 50k entries, MagNet autoencoder inference (ONNX Runtime), input digest, the whole
# image screening stage, text scan and injection classifier. Builds the bench module, runs JMH briefly,
# prints JSON lines last (p50/p99 in microseconds).
#
# Usage: bench/screening.sh [extra JMH args]        JMH speed figures
#        bench/screening.sh eval [--runs N] [--out DIR]
#            attack evaluation (Square, NES, HopSkipJump, adaptive variants, four response policies)
#            against the demo digits model behind the real screening stage, in process; JSON lines and a
#            PNG (default bench/target-screening-eval/screening-detection.png)
#        bench/screening.sh stage [PAIRS] [ROUNDS]
#            the image screens' added latency (paired with a route without screening, through a real
#            gateway on loopback) and added CPU time per request (ScreeningStageCost); the JMH form of the
#            same pair is ScreeningGatewayBenchmark (part of the default JMH run)
#        bench/screening.sh study [RUNS] [SALT]   fingerprint variants (-Dviews=...), see FingerprintStudy
#        bench/screening.sh fashion [--runs N] [--train N] [--benign N]
#            the same against an MLP on Fashion-MNIST with the published 28x28 parameters (query store
#            only); installs the Debian package dataset-fashion-mnist when missing
# env TARGET_DIR (default target-screening-bench). -Djmh.ignoreLock: other helpers may run JMH at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${TARGET_DIR:-target-screening-bench}"
mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
JAR="bench/$TARGET_DIR/benchmarks.jar"
if [ "${1:-}" = "fashion" ]; then
  shift
  if [ ! -d /usr/share/datasets/fashion-mnist ]; then
    echo "installing dataset-fashion-mnist (needs root)" >&2
    apt-get install -y dataset-fashion-mnist >&2
  fi
  exec java -cp "$JAR" dev.warden.bench.screening.FashionEvaluation "$@"
fi
if [ "${1:-}" = "stage" ]; then
  shift
  exec java -cp "$JAR" dev.warden.bench.screening.ScreeningStageCost "$@"
fi
if [ "${1:-}" = "study" ]; then
  shift
  exec java ${STUDY_VIEWS:+-Dviews="$STUDY_VIEWS"} -cp "$JAR" dev.warden.bench.screening.FingerprintStudy "$@"
fi
if [ "${1:-}" = "eval" ]; then
  shift
  exec java -cp "$JAR" dev.warden.bench.screening.ScreeningEvaluation "$@"
fi
OUT="$(mktemp -t screening-jmh-XXXXXX.json)"
java -Djmh.ignoreLock=true -jar "$JAR" 'dev\.warden\.bench\.screening\..*' -f1 -wi 2 -i 3 -rf json -rff "$OUT" "$@" >&2
python3 - "$OUT" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 2)
    pct = r["primaryMetric"].get("scorePercentiles", {})
    line = {"benchmark": ".".join(name[-2:]), "mode": r["mode"], "unit": r["primaryMetric"]["scoreUnit"],
            "mean": round(r["primaryMetric"]["score"], 3)}
    if r["mode"] == "sample":
        line["p50"] = round(pct.get("50.0", 0), 3)
        line["p99"] = round(pct.get("99.0", 0), 3)
    print(json.dumps(line))
PY
rm -f "$OUT"
