#!/usr/bin/env bash
# The HE route through the gateway on loopback (issue 7): a real `warden he-backend` with the signed digits
# logistic regression, the gateway with a route that sends X-Data-Class: restricted there, and the plain ONNX
# Runtime server for comparison. Latency p50/p99 and req/s at concurrency 1 and 8, and the bytes on the wire
# (one-time evaluation-key upload, query and answer ciphertexts). Prints JSON lines last.
# Also the MLP route (square activation, N = 16384). Load average printed before and after.
# Usage: bench/he-route.sh [LR requests per run, default 300] [MLP requests per run, default 40]   (env TARGET_DIR, default target-he-route-bench;
#        HE_JAVA_OPTS, e.g. -XX:+UseParallelGC, the HE backend's setting in the Helm chart)
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET_DIR="${TARGET_DIR:-target-he-route-bench}"
mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
JAR="bench/$TARGET_DIR/benchmarks.jar"
load() { printf '{"bench":"he-route-load","when":"%s","loadavg":"%s"}\n' "$1" "$(cut -d' ' -f1-3 /proc/loadavg)"; }
load start
java ${HE_JAVA_OPTS:-} -cp "$JAR" dev.warden.bench.heroute.HeRouteBench "$@" 2>"bench/$TARGET_DIR/he-route-bench.log" | grep '^{'
load end
