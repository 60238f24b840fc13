#!/usr/bin/env bash
# Audit trail benchmark (JMH): written records/s of one AuditLog writer under each fsync policy, and
# lines/s of `audit verify`. See bench/src/main/java/dev/warden/bench/audit/AuditBenchmark.java.
#
#   bench/audit.sh            # builds the benchmarks jar, runs briefly, prints JSON lines last
#
# Environment (optional): JMH_ARGS (default "-f1 -wi 2 -i 3 -w 2s -r 3s"), AUDIT_DIR (where the
# audit files go; default bench/target-audit-bench/files, on the project's disk — not a tmpfs, which
# would make fsync free), SKIP_BUILD=1, TARGET_DIR (default target-audit-bench).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${TARGET_DIR:-target-audit-bench}
JMH_ARGS=${JMH_ARGS:-"-f1 -wi 2 -i 3 -w 2s -r 3s"}
AUDIT_DIR=${AUDIT_DIR:-"$ROOT/bench/$TARGET_DIR/files"}
JAR="$ROOT/bench/$TARGET_DIR/benchmarks.jar"

if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  mvn -B -ntp -Pbench -Dwarden.targetDir="$TARGET_DIR" -pl bench -am -DskipTests package >&2
fi
mkdir -p "$AUDIT_DIR"
OUT="$ROOT/bench/$TARGET_DIR/audit-jmh.json"
# shellcheck disable=SC2086
java -Daudit.dir="$AUDIT_DIR" -jar "$JAR" 'dev.warden.bench.audit.AuditBenchmark' $JMH_ARGS \
  -jvmArgsAppend "-Daudit.dir=$AUDIT_DIR" -rf json -rff "$OUT" >&2

python3 - "$OUT" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1])):
    name = r["benchmark"].rsplit(".", 1)[-1]
    p = r["primaryMetric"]
    line = {"bench": "audit." + name, "unit": "records/s" if name == "sustained" else "lines/s",
            "score": round(p["score"]), "error": round(p["scoreError"]) if p["scoreError"] == p["scoreError"] else None}
    line.update(r.get("params") or {})
    print(json.dumps(line))
PY
