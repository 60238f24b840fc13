#!/usr/bin/env bash
# Proxy benchmark: the same OIP v2 JSON infer (one 64-float digit, POST with an Authorization header) sent
# by wrk to (1) the demo model backend directly, (2) Debian nginx as a reverse proxy in front of it,
# (3) Warden (`warden serve`, API-key auth + routing + signed audit trail) in front of it.
#
#   bench/proxy.sh                 # installs wrk + nginx if missing, builds, runs, prints JSON lines last
#
# Environment (all optional):
#   DURATION=10s WARMUP=5s THREADS=2 CONNECTIONS=64   wrk settings of the loaded run (the c1 run: -t1 -c1)
#   BACKEND_WARMUP=20s WARDEN_WARMUP=30s  extra load on the JVMs before they are measured: the JIT needs
#                    tens of seconds to reach steady state (nginx gets WARMUP only; it has no JIT)
#   WARM_MODES=5s    after the warm-up: one c1 run and one c64 run on new connections (JIT: see warm())
#   ROUNDS=3         rounds; each round runs every target once per mode, in turn (medians are reported)
#   PIN=1            pin processes with taskset (0: no pinning)
#   PROXY_CPUS BACKEND_CPUS WRK_CPUS   taskset CPU lists (defaults below, from nproc)
#   SKIP_BUILD=1     reuse the built jar (WARDEN_JAR, default gateway/target/warden.jar)
#   WARDEN_JAR_B=JAR a second Warden build (A/B): started beside the first on WARDEN_B_PORT (18082), warmed
#                    alike, measured as target "warden-b" right after "warden" in every round; the summary adds
#                    its ratios to nginx and to WARDEN_JAR (e.g. WARDEN_JAR=main's jar, WARDEN_JAR_B=a branch's)
#   BACKEND_PORT=18500 NGINX_PORT=18080 WARDEN_PORT=18081 WARDEN_ADMIN_PORT=19091
#   WARDEN_JAVA_OPTS, BACKEND_JAVA_OPTS  JVM options
#   WARDEN_B_JAVA_OPTS  JVM options of warden-b (default: WARDEN_JAVA_OPTS; e.g. the same jar on another GC)
#   KEEP_WORK=1      keep the work folder (logs, configs, audit file)
#
# CPU pinning. The proxies (nginx and Warden, both up, measured in turn) get the same CPUs, PROXY_CPUS;
# the backend and wrk get the others. With n CPUs: n >= 4 → proxy 0..n/2-1, backend n/2..3n/4-1,
# wrk 3n/4..n-1; n = 2 or 3 → proxy = last CPU, backend and wrk share CPU 0 (and 1 if n = 3,
# wrk gets it); n = 1 → no pinning. The direct-backend runs use the same backend and wrk CPUs.
# Besides req/s and latency, each run records the CPU time (user + system, from /proc) the proxy and the
# backend spent per request: on a shared or small machine the backend may cap req/s for both proxies,
# while CPU per request still compares the proxies' own cost.
# Not run by CI: it needs root (apt-get) and minutes of otherwise idle CPUs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
BACKEND_WARMUP=${BACKEND_WARMUP:-20s}
WARDEN_WARMUP=${WARDEN_WARMUP:-30s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
PIN=${PIN:-1}
BACKEND_PORT=${BACKEND_PORT:-18500}
NGINX_PORT=${NGINX_PORT:-18080}
WARDEN_PORT=${WARDEN_PORT:-18081}
WARDEN_ADMIN_PORT=${WARDEN_ADMIN_PORT:-19091}
WARDEN_JAVA_OPTS=${WARDEN_JAVA_OPTS:-"-Xms512m -Xmx512m"}
BACKEND_JAVA_OPTS=${BACKEND_JAVA_OPTS:-"-Xms256m -Xmx256m"}
JAR=${WARDEN_JAR:-"$ROOT/gateway/target/warden.jar"}
JAR_B=${WARDEN_JAR_B:-}
WARDEN_B_PORT=${WARDEN_B_PORT:-18082}

log() { echo "[proxy-bench] $*" >&2; }

# ------------------------------------------------------------------ tools
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
NGINX_BIN=$(command -v nginx || true)
[ -z "$NGINX_BIN" ] && [ -x /usr/sbin/nginx ] && NGINX_BIN=/usr/sbin/nginx
if ! command -v wrk >/dev/null || [ -z "$NGINX_BIN" ]; then
  log "installing wrk and nginx (Debian packages)"
  # Keep the package's own nginx service from starting (it would listen on :80): policy-rc.d says no.
  POLICY_RC=/usr/sbin/policy-rc.d
  ADDED_POLICY_RC=0
  if [ ! -e "$POLICY_RC" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY_RC" >/dev/null
    $SUDO chmod 755 "$POLICY_RC"
    ADDED_POLICY_RC=1
  fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends wrk nginx
  if [ "$ADDED_POLICY_RC" = 1 ]; then $SUDO rm -f "$POLICY_RC"; fi
  NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
fi
for tool in wrk java curl openssl python3 taskset; do
  command -v "$tool" >/dev/null || { log "missing tool: $tool"; exit 1; }
done

# ------------------------------------------------------------------ build
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  log "building $JAR"
  mvn -B -ntp -DskipTests package >&2
fi
WORK=$(mktemp -d /tmp/warden-bench-proxy.XXXXXX)
mkdir -p "$WORK/classes" "$WORK/audit" "$WORK/state" "$WORK/nginx-tmp"
javac -nowarn -d "$WORK/classes" -cp "$JAR" bench/src/main/java/dev/warden/bench/proxy/BenchBackend.java

# ------------------------------------------------------------------ processes we start, stopped on exit
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_WORK:-0}" = 1 ]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
stop() { # stop one process we started, by PID
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# ------------------------------------------------------------------ CPU sets
NCPU=$(nproc)
if [ "$PIN" = 1 ] && [ "$NCPU" -ge 2 ]; then
  if [ "$NCPU" -ge 4 ]; then
    h=$((NCPU / 2)); q=$((NCPU * 3 / 4))
    D_PROXY="0-$((h - 1))"; D_BACKEND="$h-$((q - 1))"; D_WRK="$q-$((NCPU - 1))"
  elif [ "$NCPU" -eq 3 ]; then
    D_PROXY=2; D_BACKEND=0; D_WRK=1
  else
    D_PROXY=1; D_BACKEND=0; D_WRK=0
  fi
  PROXY_CPUS=${PROXY_CPUS:-$D_PROXY}
  BACKEND_CPUS=${BACKEND_CPUS:-$D_BACKEND}
  WRK_CPUS=${WRK_CPUS:-$D_WRK}
  # taskset execs the command, so $! of a background start is the server's own PID.
  TS_PROXY=(taskset -c "$PROXY_CPUS"); TS_BACKEND=(taskset -c "$BACKEND_CPUS"); TS_WRK=(taskset -c "$WRK_CPUS")
else
  PROXY_CPUS=all; BACKEND_CPUS=all; WRK_CPUS=all
  TS_PROXY=(); TS_BACKEND=(); TS_WRK=()
fi
log "CPUs: proxy=$PROXY_CPUS backend=$BACKEND_CPUS wrk=$WRK_CPUS (of $NCPU)"

wait_http() { # url, expected status, timeout seconds, pid to watch
  local url=$1 want=$2 t=$3 pid=$4 i=0 code
  while [ "$i" -lt $((t * 10)) ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    [ "$code" = "$want" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

# ------------------------------------------------------------------ secrets for Warden
API_KEY="wdn_bench_$(openssl rand -hex 24)"
printf '%s' "$API_KEY" | sha256sum | cut -d' ' -f1 > "$WORK/bench-keys.sha256"
openssl genpkey -algorithm ed25519 -out "$WORK/audit-ed25519.pem" 2>/dev/null
chmod 600 "$WORK/audit-ed25519.pem" "$WORK/bench-keys.sha256"
export WARDEN_BENCH_KEY="$API_KEY"      # read by infer.lua: every target gets the same header
export WARDEN_BENCH_DIR="$WORK" WARDEN_BENCH_BACKEND_PORT="$BACKEND_PORT"

BODY='{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]}]}'
check_infer() { # url → exits unless one request answers 200 with probabilities
  local out
  out=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    --data "$BODY" "$1")
  if [ "${out##*$'\n'}" != 200 ] || ! grep -q probabilities <<<"$out"; then
    log "sanity request to $1 failed: $out"; return 1
  fi
}

RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
CLK_TCK=$(getconf CLK_TCK)
ticks() { # CPU time (user + system, clock ticks) of a PID and its children (nginx workers)
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
measure() { # target name, url, PID of the process under test, threads, connections, round
  local name=$1 url=$2 pid=$3 threads=$4 conns=$5 round=$6 out p0 p1 b0 b1
  log "round $round, $name: wrk -t$threads -c$conns -d$DURATION --latency"
  p0=$(ticks "$pid"); b0=$(ticks "$BACKEND_PID")
  out=$("${TS_WRK[@]}" wrk -t"$threads" -c"$conns" -d"$DURATION" --latency -s bench/proxy/infer.lua "$url")
  p1=$(ticks "$pid"); b1=$(ticks "$BACKEND_PID")
  echo "$out" >&2
  grep '^WRKJSON ' <<<"$out" | sed 's/^WRKJSON //' | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
name, threads, conns, rnd, proxy_ticks, backend_ticks, hz = sys.argv[1:8]
per_req = lambda t: round(int(t) * 1e6 / int(hz) / max(r["requests"], 1), 1)
r = {"bench": "proxy", "target": name, "round": int(rnd), "threads": int(threads), "connections": int(conns),
     **r, "backend_cpu_us_per_req": per_req(backend_ticks)}
if name != "backend":
    r["proxy_cpu_us_per_req"] = per_req(proxy_ticks)
print(json.dumps(r))' "$name" "$threads" "$conns" "$round" "$((p1 - p0))" "$((b1 - b0))" "$CLK_TCK" >> "$RESULTS"
}
warm() { # target name, url, duration
  log "$1: warm-up $3, then ${WARM_MODES:-5s} each of the c1 mode and new c$CONNECTIONS connections"
  "${TS_WRK[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3" -s bench/proxy/infer.lua "$2" >/dev/null
  # A JVM's JIT compiles what it has seen: the first run of a new shape (one connection; connections opened
  # after others closed) hits code compiled without those paths, deoptimises and recompiles, with C2 on the
  # proxy's own CPU (~110 deoptimisations in the first seconds of the first run after a 30 s warm-up, seen
  # with -XX:+LogCompilation). Warm each measured shape once before the measured rounds.
  "${TS_WRK[@]}" wrk -t1 -c1 -d"${WARM_MODES:-5s}" -s bench/proxy/infer.lua "$2" >/dev/null
  "${TS_WRK[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARM_MODES:-5s}" -s bench/proxy/infer.lua "$2" >/dev/null
}

# ------------------------------------------------------------------ start the backend
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)   # other load on the machine before we start anything
log "starting the bench backend on :$BACKEND_PORT"
# shellcheck disable=SC2086
"${TS_BACKEND[@]}" java $BACKEND_JAVA_OPTS -cp "$JAR:$WORK/classes" dev.warden.bench.proxy.BenchBackend \
  --port "$BACKEND_PORT" --work "$WORK" > "$WORK/backend.log" 2>&1 &
BACKEND_PID=$!
PIDS+=("$BACKEND_PID")
wait_http "http://127.0.0.1:$BACKEND_PORT/v2/health/ready" 200 180 "$BACKEND_PID" \
  || { log "backend did not start:"; cat "$WORK/backend.log" >&2; exit 1; }
cat "$WORK/backend.log" >&2
BACKEND_URL="http://127.0.0.1:$BACKEND_PORT/v2/models/digits/infer"
check_infer "$BACKEND_URL"
warm backend "$BACKEND_URL" "$BACKEND_WARMUP"
TARGETS=("backend $BACKEND_URL $BACKEND_PID")

# ------------------------------------------------------------------ start nginx
sed -e "s#@WORK@#$WORK#g" -e "s#@BACKEND_PORT@#$BACKEND_PORT#g" -e "s#@NGINX_PORT@#$NGINX_PORT#g" \
  bench/proxy/nginx.conf > "$WORK/nginx.conf"
log "starting nginx $("$NGINX_BIN" -v 2>&1 | sed 's/.*: //') on :$NGINX_PORT"
"${TS_PROXY[@]}" "$NGINX_BIN" -p "$WORK" -c "$WORK/nginx.conf" > "$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_http "http://127.0.0.1:$NGINX_PORT/v2/health/ready" 200 30 "$NGINX_PID" \
  || { log "nginx did not start:"; cat "$WORK/nginx.out" "$WORK/nginx-error.log" >&2 || true; exit 1; }
NGINX_WORKERS=$(pgrep -P "$NGINX_PID" | wc -l)
NGINX_URL="http://127.0.0.1:$NGINX_PORT/v2/models/digits/infer"
check_infer "$NGINX_URL"
warm nginx "$NGINX_URL" "$WARMUP"
TARGETS+=("nginx $NGINX_URL $NGINX_PID")

# ------------------------------------------------------------------ start Warden (and warden-b)
start_warden() { # target name, jar, port, admin port, folder with its key hash and audit key, JVM options -> 0 once warm
  local name=$1 jar=$2 port=$3 admin=$4 dir=$5 opts=$6 pid url
  log "starting $name ($jar) on :$port (admin :$admin)"
  # shellcheck disable=SC2086
  WARDEN_BENCH_DIR="$dir" "${TS_PROXY[@]}" java $opts -jar "$jar" serve --policy bench/proxy/policy.yaml \
    --host 127.0.0.1 --port "$port" --admin-host 127.0.0.1 --admin-port "$admin" > "$dir/warden.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  url="http://127.0.0.1:$port/v2/models/digits/infer"
  if ! wait_http "http://127.0.0.1:$admin/readyz" 200 120 "$pid"; then
    log "$name did not become ready:"; tail -50 "$dir/warden.log" >&2
    return 1
  fi
  # called as an `if` condition, so set -e is off in here: stop on a failed check as the other targets do
  check_infer "$url" || exit 1
  warm "$name" "$url" "$WARDEN_WARMUP" || exit 1
  TARGETS+=("$name $url $pid")
  STARTED_PID=$pid
}
WARDEN_OK=0
if java -jar "$JAR" serve --help 2>&1 | grep -q -- "--policy"; then
  if start_warden warden "$JAR" "$WARDEN_PORT" "$WARDEN_ADMIN_PORT" "$WORK" "$WARDEN_JAVA_OPTS"; then
    WARDEN_PID=$STARTED_PID
    WARDEN_OK=1
  fi
else
  log "this jar has no working 'serve' command yet: Warden not measured"
fi
WARDEN_B_OK=0
if [ -n "$JAR_B" ] && [ "$WARDEN_OK" = 1 ]; then
  # Its own folder: key hash, audit key, audit file and state (the audit file is locked by its writer).
  mkdir -p "$WORK/b/audit" "$WORK/b/state"
  cp "$WORK/bench-keys.sha256" "$WORK/b/"
  openssl genpkey -algorithm ed25519 -out "$WORK/b/audit-ed25519.pem" 2>/dev/null
  chmod 600 "$WORK/b/audit-ed25519.pem"
  if start_warden warden-b "$JAR_B" "$WARDEN_B_PORT" "$((WARDEN_ADMIN_PORT + 1))" "$WORK/b" "${WARDEN_B_JAVA_OPTS:-$WARDEN_JAVA_OPTS}"; then
    WARDEN_B_PID=$STARTED_PID
    WARDEN_B_OK=1
  fi
fi

# ------------------------------------------------------------------ interleaved rounds
# nginx and Warden both stay up (pinned to the same CPUs; the idle one uses next to no CPU) and the
# targets take turns, round after round, so drifts in the machine's other load hit all of them alike.
for round in $(seq 1 "$ROUNDS"); do
  for t in "${TARGETS[@]}"; do
    set -- $t
    measure "$1" "$2" "$3" "$THREADS" "$CONNECTIONS" "$round"
  done
  for t in "${TARGETS[@]}"; do
    set -- $t
    measure "$1" "$2" "$3" 1 1 "$round"
  done
done
stop "$NGINX_PID"

if [ "$WARDEN_OK" = 1 ]; then
  stop "$WARDEN_PID"
  # The audit trail was really on: count its records and verify the chain and checkpoint signatures.
  AUDIT_RECORDS=$(grep -c '"type":"record"' "$WORK/audit/audit.jsonl" || true)
  openssl pkey -in "$WORK/audit-ed25519.pem" -pubout -out "$WORK/audit-ed25519.pub.pem"
  if java -jar "$JAR" audit verify --public-key "$WORK/audit-ed25519.pub.pem" "$WORK/audit/audit.jsonl" >&2; then
    AUDIT_VERIFIED=true
  else
    AUDIT_VERIFIED=false
  fi
  log "audit records written by Warden: $AUDIT_RECORDS, verified: $AUDIT_VERIFIED"
fi
if [ "$WARDEN_B_OK" = 1 ]; then
  stop "$WARDEN_B_PID"
  AUDIT_B_RECORDS=$(grep -c '"type":"record"' "$WORK/b/audit/audit.jsonl" || true)
  openssl pkey -in "$WORK/b/audit-ed25519.pem" -pubout -out "$WORK/b/audit-ed25519.pub.pem"
  java -jar "$JAR_B" audit verify --public-key "$WORK/b/audit-ed25519.pub.pem" "$WORK/b/audit/audit.jsonl" >&2 \
    || AUDIT_VERIFIED=false
  log "audit records written by warden-b: $AUDIT_B_RECORDS"
fi

# ------------------------------------------------------------------ JSON lines last
cat "$RESULTS"
python3 - "$RESULTS" "$PROXY_CPUS" "$BACKEND_CPUS" "$WRK_CPUS" "$NCPU" "${NGINX_WORKERS:-0}" \
  "${AUDIT_RECORDS:-0}" "${AUDIT_VERIFIED:-null}" "${LOAD_BEFORE:-}" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$CONNECTIONS" "${AUDIT_B_RECORDS:-0}" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
loaded = int(sys.argv[11])
def runs(target, conns):
    return [r for r in rows if r["target"] == target and r["connections"] == conns]
def med(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None
# Per target and mode: medians over the rounds.
for target in ("backend", "nginx", "warden", "warden-b"):
    for conns in (loaded, 1):
        rs = runs(target, conns)
        if not rs:
            continue
        agg = {"bench": "proxy", "target": target, "connections": conns, "rounds": len(rs), "median": True,
               "rps": med(r["rps"] for r in rs), "p50_us": med(r["p50_us"] for r in rs),
               "p99_us": med(r["p99_us"] for r in rs),
               "backend_cpu_us_per_req": med(r["backend_cpu_us_per_req"] for r in rs)}
        if target != "backend":
            agg["proxy_cpu_us_per_req"] = med(r.get("proxy_cpu_us_per_req") for r in rs)
        print(json.dumps(agg))
def paired(fn, a, b, conns):
    # one value per round, from the two runs of that round
    return [fn(ra, rb) for ra in runs(a, conns) for rb in runs(b, conns) if ra["round"] == rb["round"]]
ratio = paired(lambda w, n: w["rps"] / n["rps"], "warden", "nginx", loaded)
n_add = paired(lambda n, b: n["p50_us"] - b["p50_us"], "nginx", "backend", 1)
w_add = paired(lambda w, b: w["p50_us"] - b["p50_us"], "warden", "backend", 1)
cpu_ratio = paired(lambda w, n: w["proxy_cpu_us_per_req"] / n["proxy_cpu_us_per_req"], "warden", "nginx", loaded)
summary = {
    "bench": "proxy", "summary": True,
    "warden_over_nginx_rps": round(statistics.median(ratio), 3) if ratio else None,
    "warden_over_nginx_rps_per_round": [round(x, 3) for x in ratio],
    "nginx_added_p50_us_c1": med(n_add), "warden_added_p50_us_c1": med(w_add),
    "nginx_cpu_us_per_req": med(r.get("proxy_cpu_us_per_req") for r in runs("nginx", loaded)),
    "warden_cpu_us_per_req": med(r.get("proxy_cpu_us_per_req") for r in runs("warden", loaded)),
    "warden_over_nginx_cpu": round(statistics.median(cpu_ratio), 3) if cpu_ratio else None,
    "cpus": {"total": int(sys.argv[5]), "proxy": sys.argv[2], "backend": sys.argv[3], "wrk": sys.argv[4]},
    "nginx_workers": int(sys.argv[6]), "warden_audit_records": int(sys.argv[7]),
    "warden_audit_verified": json.loads(sys.argv[8]),
    "all_requests_2xx": all(r["non2xx"] == 0 and r["socket_errors"] == 0 for r in rows),
    "loadavg_before": sys.argv[9], "loadavg_after": sys.argv[10],
}
if runs("warden-b", loaded):  # A/B: WARDEN_JAR_B measured beside WARDEN_JAR in every round
    rb = paired(lambda w, n: w["rps"] / n["rps"], "warden-b", "nginx", loaded)
    summary["warden_b_over_nginx_rps"] = round(statistics.median(rb), 3) if rb else None
    summary["warden_b_added_p50_us_c1"] = med(paired(lambda w, b: w["p50_us"] - b["p50_us"], "warden-b", "backend", 1))
    summary["warden_b_cpu_us_per_req"] = med(r.get("proxy_cpu_us_per_req") for r in runs("warden-b", loaded))
    for key, fn, conns in (("rps", lambda b, a: b["rps"] / a["rps"], loaded),
                           ("p50_c1", lambda b, a: b["p50_us"] / a["p50_us"], 1),
                           ("cpu", lambda b, a: b["proxy_cpu_us_per_req"] / a["proxy_cpu_us_per_req"], loaded)):
        per = paired(fn, "warden-b", "warden", conns)
        summary[f"b_over_a_{key}"] = round(statistics.median(per), 3) if per else None
        summary[f"b_over_a_{key}_per_round"] = [round(x, 3) for x in per]
    summary["warden_b_audit_records"] = int(sys.argv[12])
print(json.dumps(summary))
PYEOF
