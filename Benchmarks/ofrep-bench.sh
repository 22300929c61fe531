#!/usr/bin/env bash
# OFREP throughput and latency of one `greenlight flag serve` process (release build): wrk posts single
# evaluations of a flag with a rule and a 30 % rollout, each request with its own targeting key (so
# every request runs the rules and the murmur3 bucketing), then bulk evaluations of the five flags.
# Budget (issue 12): 20,000 evaluations per second from one process with p99 under 5 ms.
# Needs wrk (apt: wrk). On a small machine wrk and the server share the cores: the numbers are a floor.
# Usage: Benchmarks/ofrep-bench.sh [seconds] [connections]   (default 20 s, 64 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
connections=${2:-64}
config=${GREENLIGHT_BENCH_CONFIG:-release}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2; }

echo "building greenlight ($config)…" >&2
swift build -c "$config" --product greenlight >&2
greenlight=$(swift build -c "$config" --show-bin-path)/greenlight

work=$(mktemp -d /tmp/greenlight-ofrep-bench.XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export GREENLIGHT_LEDGER="$work/ledger.sqlite"

"$greenlight" flag set new-checkout --variant on=true --variant off=false --default off --rollout 30:on \
  --rule 'plan in pro,team -> on' --by bench >/dev/null
"$greenlight" flag set theme --variant blue=blue --variant green=green --default blue --by bench >/dev/null
"$greenlight" flag set max-items --variant small=10 --variant large=50 --default large --by bench >/dev/null
"$greenlight" flag set ratio --variant low=0.25 --variant high=0.75 --default low --by bench >/dev/null
"$greenlight" flag set limits --variant basic='{"requests":100}' --default basic --by bench >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$greenlight" flag serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
for _ in $(seq 100); do grep -q serving "$work/serve.log" 2>/dev/null && break; sleep 0.1; done

cat >"$work/single.lua" <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"context":{"targetingKey":"user-' .. counter .. '","plan":"free"}}'
  return wrk.format("POST", "/ofrep/v1/evaluate/flags/new-checkout", {["Content-Type"] = "application/json"}, body)
end
LUA
cat >"$work/bulk.lua" <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"context":{"targetingKey":"user-' .. counter .. '"}}'
  return wrk.format("POST", "/ofrep/v1/evaluate/flags", {["Content-Type"] = "application/json"}, body)
end
LUA

curl -s -X POST "http://127.0.0.1:$port/ofrep/v1/evaluate/flags/new-checkout" \
  -d '{"context":{"targetingKey":"user-1"}}'
echo
echo "== warm-up (3 s)"
wrk -t2 -c"$connections" -d3s -s "$work/single.lua" "http://127.0.0.1:$port" >/dev/null
echo "== single evaluation: POST /ofrep/v1/evaluate/flags/new-checkout, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/single.lua" "http://127.0.0.1:$port"
echo "== bulk evaluation (5 flags a request): POST /ofrep/v1/evaluate/flags, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/bulk.lua" "http://127.0.0.1:$port"
