#!/usr/bin/env bash
# Secure aggregation (SecAgg+) round benchmark: 100 clients x 100,000 entries, 10 % dropout (clients that
# drop after sharing keys, before their masked input). Prints per-client compute, server compute per
# phase, bytes per client and the expansion over a plain 32-bit update, as JSON lines (last).
# See bench/src/main/java/dev/warden/bench/secagg/SecAggRoundBench.java.
#
#   bench/secagg.sh                 # complete graph (what the derivation picks for n = 100) and a sparse k = 42 graph
#
# Environment (optional): N (100), D (100000), DROPOUT (0.1), ROUNDS (2: the first warms the JIT up),
# GRAPHS ("complete 42"), SKIP_BUILD=1, TARGET_DIR (default target-secagg-bench), HEAP (default 3g).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${TARGET_DIR:-target-secagg-bench}
JAR="$ROOT/bench/$TARGET_DIR/benchmarks.jar"
N=${N:-100}; D=${D:-100000}; DROPOUT=${DROPOUT:-0.1}; ROUNDS=${ROUNDS:-2}; GRAPHS=${GRAPHS:-"complete 42"}; HEAP=${HEAP:-3g}

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
fi
OUT=$(mktemp)
for g in $GRAPHS; do
  java -Xmx"$HEAP" -cp "$JAR" dev.warden.bench.secagg.SecAggRoundBench "$N" "$D" "$DROPOUT" "$g" "$ROUNDS" >>"$OUT"
done
cat "$OUT"
rm -f "$OUT"
