#!/usr/bin/env bash
# Hashing benchmark: Warden's parallel OMS verification vs openssl dgst -sha256 and sha256sum run with
# xargs -P <cores> over the same files/shards, plus stat-based incremental re-verification.
# Builds the bench jar, generates a ~2.1 GB synthetic model in /tmp (deleted afterwards), prints JSON lines last.
# Usage: bench/hashing.sh [--size-mb N] [--reps N]
set -euo pipefail
cd "$(dirname "$0")/.."
T=${WARDEN_TARGET:-target-bench-hashing}
if [ ! -f "bench/$T/benchmarks.jar" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -ntp -Pbench -Dwarden.targetDir="$T" -pl bench -am -DskipTests package >&2
fi
command -v openssl >/dev/null || { echo "openssl is required (apt-get install -y openssl)" >&2; exit 2; }
java -Xmx2g -cp "bench/$T/benchmarks.jar" dev.warden.bench.hashing.HashingBench "$@"
