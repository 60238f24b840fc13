#!/usr/bin/env bash
# Proxy CPU cost per request, side by side: the same paced OIP infer load (wrk with a fixed delay per
# connection, so every target sees about the same request rate) sent through nginx and through one or two
# Warden jars, all in front of the same bench backend. The figure is CPU time (user + system, /proc) the
# proxy spent per request: much less sensitive to other load on the machine than req/s, so two builds can
# be compared on a busy machine (quote the ratio, measured in one run, with the load average).
#
#   bench/proxy-cpu.sh JAR_A [JAR_B]     # e.g. the build of main and the build of a branch
#
# Environment (all optional):
#   DURATION=10s ROUNDS=5 CONNECTIONS=32 DELAY_MS=4   paced wrk run: each connection waits DELAY_MS after
#                                                     each answer (≈ CONNECTIONS × 1000 / DELAY_MS req/s)
#   WARMUP=30s       unpaced load on each Warden before measuring (JIT); nginx gets 5 s
#   NGINX=1          also measure nginx (0: only the jars)
#   TOGETHER=1       with two jars (the default then): load both at the same time in each round, so a
#                    busy machine's other load hits both alike; nginx is measured alone, in turn
#   PROFILE=0        1: record each Warden with perf (cpu-clock, 999 Hz, Java frames via a perf map) in the
#                    last round; the top frames are printed and the reports kept in the work folder
#   PROXY_CPUS BACKEND_CPUS WRK_CPUS   taskset CPU lists (defaults as in bench/proxy.sh)
#   KEEP_WORK=1      keep the work folder
# Needs wrk, nginx (when NGINX=1), java, taskset, python3; builds nothing (the jar holds the backend too).
# The last lines of output are JSON: one line per run, then one summary line per target (medians) and the
# ratios of each Warden's CPU per request to nginx's and of JAR_B's to JAR_A's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ $# -ge 1 ] || { echo "usage: bench/proxy-cpu.sh JAR_A [JAR_B]" >&2; exit 2; }
JARS=("$@")
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-32}
DELAY_MS=${DELAY_MS:-4}
WARMUP=${WARMUP:-30s}
NGINX=${NGINX:-1}
PROFILE=${PROFILE:-0}
BACKEND_PORT=${BACKEND_PORT:-18600}
NGINX_PORT=${NGINX_PORT:-18180}
WARDEN_PORT0=${WARDEN_PORT0:-18181}
WARDEN_JAVA_OPTS=${WARDEN_JAVA_OPTS:-"-Xms512m -Xmx512m"}
# perf walks Java stacks by frame pointers; only profiled runs pay for keeping them
[ "$PROFILE" = 1 ] && WARDEN_JAVA_OPTS="$WARDEN_JAVA_OPTS -XX:+PreserveFramePointer"
log() { echo "[proxy-cpu] $*" >&2; }
for tool in wrk java curl openssl python3 taskset; do
  command -v "$tool" >/dev/null || { log "missing tool: $tool"; exit 1; }
done
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/warden-bench-proxy-cpu.XXXXXX)
mkdir -p "$WORK/classes" "$WORK/nginx-tmp"
javac -nowarn -d "$WORK/classes" -cp "${JARS[0]}" bench/src/main/java/dev/warden/bench/proxy/BenchBackend.java
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ] || [ "$PROFILE" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

NCPU=$(nproc)
if [ "$NCPU" -ge 4 ]; then
  h=$((NCPU / 2)); q=$((NCPU * 3 / 4))
  D_PROXY="0-$((h - 1))"; D_BACKEND="$h-$((q - 1))"; D_WRK="$q-$((NCPU - 1))"
elif [ "$NCPU" -eq 3 ]; then D_PROXY=2; D_BACKEND=0; D_WRK=1
elif [ "$NCPU" -eq 2 ]; then D_PROXY=1; D_BACKEND=0; D_WRK=0
else D_PROXY=0; D_BACKEND=0; D_WRK=0
fi
PROXY_CPUS=${PROXY_CPUS:-$D_PROXY}; BACKEND_CPUS=${BACKEND_CPUS:-$D_BACKEND}; WRK_CPUS=${WRK_CPUS:-$D_WRK}
log "CPUs: proxy=$PROXY_CPUS backend=$BACKEND_CPUS wrk=$WRK_CPUS (of $NCPU)"

wait_http() { # url, expected status, timeout seconds, pid
  local i=0
  while [ "$i" -lt $(($3 * 10)) ]; do
    kill -0 "$4" 2>/dev/null || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = "$2" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
ticks() { # CPU ticks of a PID and its children
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

API_KEY="wdn_bench_$(openssl rand -hex 24)"
export WARDEN_BENCH_KEY="$API_KEY" WARDEN_BENCH_BACKEND_PORT="$BACKEND_PORT"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

taskset -c "$BACKEND_CPUS" java -Xms256m -Xmx256m -cp "${JARS[0]}:$WORK/classes" dev.warden.bench.proxy.BenchBackend \
  --port "$BACKEND_PORT" --work "$WORK" > "$WORK/backend.log" 2>&1 &
BACKEND_PID=$!; PIDS+=("$BACKEND_PID")
wait_http "http://127.0.0.1:$BACKEND_PORT/v2/health/ready" 200 180 "$BACKEND_PID" \
  || { log "backend did not start"; cat "$WORK/backend.log" >&2; exit 1; }

TARGETS=()
if [ "$NGINX" = 1 ]; then
  sed -e "s#@WORK@#$WORK#g" -e "s#@BACKEND_PORT@#$BACKEND_PORT#g" -e "s#@NGINX_PORT@#$NGINX_PORT#g" \
    bench/proxy/nginx.conf > "$WORK/nginx.conf"
  taskset -c "$PROXY_CPUS" "$NGINX_BIN" -p "$WORK" -c "$WORK/nginx.conf" > "$WORK/nginx.out" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_http "http://127.0.0.1:$NGINX_PORT/v2/health/ready" 200 30 "$NGINX_PID" || { log "nginx did not start"; exit 1; }
  taskset -c "$WRK_CPUS" wrk -t2 -c"$CONNECTIONS" -d5s -s bench/proxy/infer.lua \
    "http://127.0.0.1:$NGINX_PORT/v2/models/digits/infer" >/dev/null
  TARGETS+=("nginx http://127.0.0.1:$NGINX_PORT/v2/models/digits/infer $NGINX_PID")
fi
i=0
for jar in "${JARS[@]}"; do
  name="warden-$([ "$i" = 0 ] && echo A || echo B)"
  dir="$WORK/$name"; mkdir -p "$dir/audit" "$dir/state"
  printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1 > "$dir/bench-keys.sha256"
  openssl genpkey -algorithm ed25519 -out "$dir/audit-ed25519.pem" 2>/dev/null
  chmod 600 "$dir/audit-ed25519.pem"
  port=$((WARDEN_PORT0 + 2 * i)); admin=$((port + 1))
  # shellcheck disable=SC2086
  WARDEN_BENCH_DIR="$dir" taskset -c "$PROXY_CPUS" java $WARDEN_JAVA_OPTS \
    -jar "$jar" serve --policy bench/proxy/policy.yaml --host 127.0.0.1 --port "$port" \
    --admin-host 127.0.0.1 --admin-port "$admin" > "$dir/warden.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_http "http://127.0.0.1:$admin/readyz" 200 120 "$pid" || { log "$name did not start"; tail "$dir/warden.log" >&2; exit 1; }
  log "$name ($jar): warm-up $WARMUP"
  taskset -c "$WRK_CPUS" wrk -t2 -c64 -d"$WARMUP" -s bench/proxy/infer.lua \
    "http://127.0.0.1:$port/v2/models/digits/infer" >/dev/null
  TARGETS+=("$name http://127.0.0.1:$port/v2/models/digits/infer $pid")
  i=$((i + 1))
done

RESULTS="$WORK/results.jsonl"; : > "$RESULTS"
HZ=$(getconf CLK_TCK)
measure() { # name url pid round -> one JSON line in $RESULTS
  local perf_pid="" p0 p1 b0 b1 out
  if [ "$PROFILE" = 1 ] && [ "$4" = "$ROUNDS" ] && [ "$1" != nginx ] && command -v perf >/dev/null; then
    perf record -F 999 -g -p "$3" -o "$WORK/$1.perf.data" 2>/dev/null &
    perf_pid=$!
  fi
  p0=$(ticks "$3"); b0=$(ticks "$BACKEND_PID")
  out=$(WARDEN_BENCH_DELAY_MS="$DELAY_MS" taskset -c "$WRK_CPUS" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" \
    --latency -s bench/proxy/infer.lua "$2")
  p1=$(ticks "$3"); b1=$(ticks "$BACKEND_PID")
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    jcmd "$3" Compiler.perfmap >/dev/null 2>&1 || true
  fi
  grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //' | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
name, rnd, pt, bt, hz, together = sys.argv[1:7]
per = lambda t: round(int(t) * 1e6 / int(hz) / max(r["requests"], 1), 1)
print(json.dumps({"bench": "proxy-cpu", "target": name, "round": int(rnd), "together": together == "1", **r,
                  "proxy_cpu_us_per_req": per(pt), "backend_cpu_us_per_req": per(bt)}))' \
    "$1" "$4" "$((p1 - p0))" "$((b1 - b0))" "$HZ" "$TOGETHER" | tee -a "$RESULTS" >&2
}
# TOGETHER=1 (the default with two jars): both Warden jars get their load at the same time, so whatever
# else runs on the machine hits both alike (backend CPU per request is then shared and not comparable).
TOGETHER=${TOGETHER:-$([ "${#JARS[@]}" = 2 ] && echo 1 || echo 0)}
for round in $(seq 1 "$ROUNDS"); do
  together=()
  for t in "${TARGETS[@]}"; do
    set -- $t
    if [ "$TOGETHER" = 1 ] && [ "$1" != nginx ]; then together+=("$t"); continue; fi
    measure "$1" "$2" "$3" "$round"
  done
  jobs_=()
  for t in "${together[@]:-}"; do
    [ -n "$t" ] || continue
    set -- $t
    measure "$1" "$2" "$3" "$round" &
    jobs_+=($!)
  done
  for j in "${jobs_[@]:-}"; do [ -n "$j" ] && wait "$j"; done
done
if [ "$PROFILE" = 1 ]; then
  for t in "${TARGETS[@]}"; do
    set -- $t
    [ -f "$WORK/$1.perf.data" ] || continue
    perf report -i "$WORK/$1.perf.data" --no-children --sort symbol --stdio 2>/dev/null \
      > "$WORK/$1.perf.txt" || true
    log "$1: top frames (self time), full report $WORK/$1.perf.txt"
    grep -E '^ +[0-9]' "$WORK/$1.perf.txt" | head -40 >&2 || true
  done
fi
cat "$RESULTS"
python3 - "$RESULTS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = {}
for t in sorted({r["target"] for r in rows}):
    rs = [r for r in rows if r["target"] == t]
    med[t] = statistics.median(r["proxy_cpu_us_per_req"] for r in rs)
    print(json.dumps({"bench": "proxy-cpu", "target": t, "median": True, "rounds": len(rs),
                      "rps": round(statistics.median(r["rps"] for r in rs), 1),
                      "p50_us": statistics.median(r["p50_us"] for r in rs),
                      "proxy_cpu_us_per_req": round(med[t], 1)}))
def paired(a, b):  # per-round ratios a/b
    return [ra["proxy_cpu_us_per_req"] / rb["proxy_cpu_us_per_req"] for ra in rows for rb in rows
            if ra["target"] == a and rb["target"] == b and ra["round"] == rb["round"] and rb["proxy_cpu_us_per_req"]]
summary = {"bench": "proxy-cpu", "summary": True, "loadavg_before": sys.argv[2], "loadavg_after": sys.argv[3]}
for a, b in (("warden-A", "nginx"), ("warden-B", "nginx"), ("warden-B", "warden-A")):
    p = paired(a, b)
    if p:
        summary[f"{a}_over_{b}_cpu"] = round(statistics.median(p), 3)
        summary[f"{a}_over_{b}_cpu_per_round"] = [round(x, 3) for x in p]
print(json.dumps(summary))
PYEOF
