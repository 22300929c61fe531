#!/usr/bin/env bash
# The canary router against nginx as a reverse proxy, in one run, on one machine, loopback only.
#
# Upstream: nginx (one worker) answering "ok\n". In front of it, in turn: nginx-light as a reverse proxy
# (proxy_pass to a keep-alive upstream block, one worker), the same nginx set up to do the router's
# header work (X-Forwarded-For, Forwarded and Via to the upstream; Via and an arm header to the client),
# and `greenlight router` (one event loop thread, both arms on that upstream, weight 5).
# CPUs, as the issue measured nginx: the proxy under test and the upstream share CPU 0, the load
# generator has CPU 1 (PROXY_CPU=0 UPSTREAM_CPU=0 CLIENT_CPU=1). With UPSTREAM_CPU=1 the proxy has a core
# of its own and the upstream and wrk share the other: then that core bounds both proxies' throughput and
# the CPU per request is the telling number. The headers a proxy adds cost the upstream and wrk time
# too (they parse them): the second nginx is the like-for-like peer.
#   1. throughput: wrk -t1 -c$CONNECTIONS for $DURATION s, $ROUNDS rounds alternating, median req/s
#      and the proxy process's CPU time per request (/proc/PID/stat); prints router / nginx for both
#      nginx setups (targets: >= 1.0x the requests per second, <= 1.0x the CPU per request)
#   2. latency: greenlight load (open model, no coordinated omission) at $RATE req/s for $DURATION s
#      direct to the upstream, through nginx, through the router; prints p99 and the p99 each proxy adds
#
# Usage: Benchmarks/router-bench.sh
# Env:   DURATION=10 ROUNDS=3 CONNECTIONS=50 RATE=1000   GREENLIGHT=path (else scripts/build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-50}
RATE=${RATE:-1000}
PROXY_CPU=${PROXY_CPU:-0}
UPSTREAM_CPU=${UPSTREAM_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
log() { printf '[router-bench] %s\n' "$*" >&2; }

sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
pkgs=()
command -v wrk >/dev/null || pkgs+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || pkgs+=(nginx-light)
command -v taskset >/dev/null || pkgs+=(util-linux)
if [ ${#pkgs[@]} -gt 0 ]; then
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -z "${GREENLIGHT:-}" ]; then
  log "building greenlight (release)…"
  GREENLIGHT=$(scripts/build-release)
fi

work=$(mktemp -d /tmp/router-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

nginx_conf() {  # nginx_conf DIR PORT BODY
  mkdir -p "$1/logs" "$1/tmp"
  cat > "$1/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 300s;
  client_body_temp_path $1/tmp/body;
  proxy_temp_path $1/tmp/proxy;
  fastcgi_temp_path $1/tmp/fastcgi;
  uwsgi_temp_path $1/tmp/uwsgi;
  scgi_temp_path $1/tmp/scgi;
  $3
  server {
    listen 127.0.0.1:$2 backlog=4096;
    $4
  }
}
CONF
}

upstream_port=$(free_port)
nginx_conf "$work/upstream" "$upstream_port" "" 'location / { default_type text/plain; return 200 "ok\n"; }'
taskset -c "$UPSTREAM_CPU" "$NGINX" -p "$work/upstream" -c "$work/upstream/nginx.conf" & pids+=($!)
proxy_port=$(free_port)
nginx_conf "$work/proxy" "$proxy_port" "upstream backend { server 127.0.0.1:$upstream_port; keepalive 64; }" \
  'location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }'
taskset -c "$PROXY_CPU" "$NGINX" -p "$work/proxy" -c "$work/proxy/nginx.conf" & pids+=($!)
headers_port=$(free_port)
nginx_conf "$work/headers" "$headers_port" "upstream backend { server 127.0.0.1:$upstream_port; keepalive 64; }" \
  'location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header Forwarded "for=$remote_addr";
      proxy_set_header Via "1.1 nginx"; add_header Via "1.1 nginx"; add_header X-Arm baseline; }'
taskset -c "$PROXY_CPU" "$NGINX" -p "$work/headers" -c "$work/headers/nginx.conf" & pids+=($!)
router_port=$(free_port)
taskset -c "$PROXY_CPU" "$GREENLIGHT" router --listen "127.0.0.1:$router_port" --threads 1 --weight 5 \
  --baseline "http://127.0.0.1:$upstream_port" --canary "http://127.0.0.1:$upstream_port" \
  2> "$work/router.log" & pids+=($!)
for port in "$upstream_port" "$proxy_port" "$headers_port" "$router_port"; do
  wait_port "$port" || { log "port $port did not open"; cat "$work/router.log" >&2; exit 1; }
done
curl -sS -D - -o /dev/null "http://127.0.0.1:$router_port/" | grep -qi '^x-greenlight-arm:' \
  || { log "the router's response has no X-Greenlight-Arm"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system clock ticks of PID
wrk_run() {  # wrk_run PORT PID -> "requests/s  CPU-microseconds-per-request-of-PID"
  local before after out
  before=$(cpu_ticks "$2")
  out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$1/")
  after=$(cpu_ticks "$2")
  echo "$out" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1} /^Requests\/sec:/ {r = $2}
    END {printf "%s %.2f\n", r, ticks / hz * 1e6 / n}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
nginx_worker=$(pgrep -P "$(cat "$work/proxy/nginx.pid")" | head -1)
headers_worker=$(pgrep -P "$(cat "$work/headers/nginx.pid")" | head -1)
router_pid=$(pgrep -f "router --listen 127.0.0.1:$router_port" | head -1)

log "CPUs: proxy $PROXY_CPU, upstream $UPSTREAM_CPU, load generator $CLIENT_CPU"
log "throughput: wrk -t1 -c$CONNECTIONS -d${DURATION}s, $ROUNDS rounds (CPU per request of the proxy process)"
: > "$work/nginx.rps"; : > "$work/headers.rps"; : > "$work/router.rps"
show() { tail -1 "$1" | awk '{printf "%s req/s, %s us CPU/req", $1, $2}'; }
for round in $(seq 1 "$ROUNDS"); do
  wrk_run "$proxy_port" "$nginx_worker" >> "$work/nginx.rps"
  wrk_run "$headers_port" "$headers_worker" >> "$work/headers.rps"
  wrk_run "$router_port" "$router_pid" >> "$work/router.rps"
  log "round $round: nginx $(show "$work/nginx.rps"); nginx+headers $(show "$work/headers.rps");" \
    "router $(show "$work/router.rps")"
done
nginx_rps=$(awk '{print $1}' "$work/nginx.rps" | median)
headers_rps=$(awk '{print $1}' "$work/headers.rps" | median)
router_rps=$(awk '{print $1}' "$work/router.rps" | median)
nginx_cpu=$(awk '{print $2}' "$work/nginx.rps" | median)
headers_cpu=$(awk '{print $2}' "$work/headers.rps" | median)
router_cpu=$(awk '{print $2}' "$work/router.rps" | median)
ratios=$(paste "$work/router.rps" "$work/nginx.rps" | awk '{printf "%.2f ", $1 / $3}')
header_ratios=$(paste "$work/router.rps" "$work/headers.rps" | awk '{printf "%.2f ", $1 / $3}')

p99() {  # p99 PORT NAME -> ms
  taskset -c "$CLIENT_CPU" "$GREENLIGHT" load --url "http://127.0.0.1:$1/" --rate "$RATE" --duration "${DURATION}s" \
    --quiet --out "$work/$2.json" >/dev/null 2>&1 || true
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["p99_ms"])' "$work/$2.json"
}
log "latency: greenlight load --rate $RATE for ${DURATION}s: direct, nginx, router"
direct_p99=$(p99 "$upstream_port" direct)
nginx_p99=$(p99 "$proxy_port" nginx)
router_p99=$(p99 "$router_port" router)

python3 - "$nginx_rps" "$router_rps" "$nginx_cpu" "$router_cpu" "$direct_p99" "$nginx_p99" "$router_p99" "$RATE" \
  "$headers_rps" "$headers_cpu" "$ratios" "$header_ratios" <<'PY'
import sys
nginx, router, ncpu, rcpu, direct, np99, rp99, rate, hrps, hcpu = map(float, sys.argv[1:11])
print("| | nginx proxy | nginx + the router's headers | greenlight router |")
print("|---|---|---|---|")
print(f"| wrk req/s (median) | {nginx:,.0f} | {hrps:,.0f} | {router:,.0f} ({router / nginx:.2f}x nginx, {router / hrps:.2f}x nginx+headers) |")
print(f"| CPU per request of the proxy (median) | {ncpu:.2f} us | {hcpu:.2f} us | {rcpu:.2f} us ({rcpu / ncpu:.2f}x nginx, {rcpu / hcpu:.2f}x nginx+headers) |")
print(f"| p99 at {rate:,.0f} req/s (direct {direct:.3f} ms) | {np99:.3f} ms (+{np99 - direct:.3f} ms) | | {rp99:.3f} ms (+{rp99 - direct:.3f} ms) |")
print(f"router/nginx throughput: {router / nginx:.2f}x (target >= 1.0x); per round: {sys.argv[11].strip()}")
print(f"router/nginx+headers throughput: {router / hrps:.2f}x; per round: {sys.argv[12].strip()}")
print(f"router/nginx CPU per request: {rcpu / ncpu:.2f}x, router/nginx+headers: {rcpu / hcpu:.2f}x (target <= 1.0x)")
PY
