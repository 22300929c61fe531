#!/usr/bin/env bash
# The team server's read endpoints under load, loopback only: `greenlight serve` on a SQLite ledger
# holding $RELEASES releases (each checked, one signed off), measured with greenlight's own load engine
# at a fixed $RATE req/s (open model: latency as users see it, coordinated omission corrected), and
# with wrk (closed model, $CONNECTIONS connections) for the most the server answers. Prints one
# Markdown table; the goal is $RATE req/s held with p99 under 50 ms on every endpoint.
#
# Usage: Benchmarks/server-bench.sh
# Env:   DURATION=10 (s)  RATE=2000  CONNECTIONS=32  RELEASES=20
#        GREENLIGHT=path  use this binary instead of building it with scripts/build-release
# Exit status: 0 when every endpoint holds the rate with p99 < 50 ms, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
RATE=${RATE:-2000}
CONNECTIONS=${CONNECTIONS:-32}
RELEASES=${RELEASES:-20}
log() { printf '[server-bench] %s\n' "$*" >&2; }
command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >&2; }
if [ -n "${GREENLIGHT:-}" ]; then GREENLIGHT=$(realpath "$GREENLIGHT"); fi
if [ -z "${GREENLIGHT:-}" ]; then
  log "building greenlight (release)…"
  GREENLIGHT=$(scripts/build-release)
fi
work=$(mktemp -d /tmp/server-bench.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export GREENLIGHT_KEYS=$work/keys GREENLIGHT_LEDGER=$work/ledger.sqlite
cd "$work"

log "a ledger with $RELEASES releases"
expires=$(date -u -d '+30 days' +%Y-%m-%d)
spec() {
  cat <<YAML
version: 1
service: { name: shop, version: "$1", owner: team, author: carol }
risk: { likelihood: 1, impact: 1 }
checklist:
  waivers:
    - { item: environment-parity, reason: bench, approver: dave, expires: $expires }
    - { item: load-testing, reason: bench, approver: dave, expires: $expires }
    - { item: monitoring-hooks, reason: bench, approver: dave, expires: $expires }
    - { item: rollback-plan, reason: bench, approver: dave, expires: $expires }
signoff:
  required: [engineering, sre]
YAML
}
"$GREENLIGHT" ledger init >/dev/null
for name in alice bob; do "$GREENLIGHT" key new "$name" >/dev/null; done
"$GREENLIGHT" signer add alice --role engineering --key alice >/dev/null
"$GREENLIGHT" signer add bob --role sre --key bob >/dev/null
for n in $(seq 1 "$RELEASES"); do
  spec "1.$n.0" > release.yaml
  "$GREENLIGHT" check release.yaml -q >/dev/null || true
done
"$GREENLIGHT" signoff release.yaml --role engineering --decision approve --key alice >/dev/null
"$GREENLIGHT" signoff release.yaml --role sre --decision approve --key bob >/dev/null
token=$("$GREENLIGHT" token new --signer alice 2>/dev/null)
last="shop@1.$RELEASES.0"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$GREENLIGHT" serve --port "$port" --quiet 2> serve.log & server_pid=$!
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
log "server on $base ($(grep -c . "$GREENLIGHT_LEDGER" >/dev/null 2>&1; echo "ledger $(du -h "$GREENLIGHT_LEDGER" | cut -f1)"))"

endpoints=(
  "/api/v1/releases"
  "/api/v1/releases/$last"
  "/api/v1/releases/$last/gate"
  "/api/v1/releases/$last/signoffs"
  "/api/v1/flags"
)
status=0
printf '\n| endpoint | greenlight load: rate asked | achieved | p50 ms | p99 ms | errors | wrk (%s conns) req/s | wrk ÷ asked |\n' "$CONNECTIONS"
printf '|---|---:|---:|---:|---:|---:|---:|---:|\n'
for path in "${endpoints[@]}"; do
  "$GREENLIGHT" load --url "$base$path" --rate "$RATE" --duration "${DURATION}s" \
    --header "Authorization: Bearer $token" --json > load.json 2>/dev/null || true
  read -r achieved p50 p99 errors < <(python3 -c '
import json, sys
s = json.load(open("load.json"))["summary"]
print(round(s["responses"] / s["duration_seconds"]) if "responses" in s else s["rps"], s["p50_ms"], s["p99_ms"], s["errors"])
' 2>/dev/null || echo "0 0 0 -1")
  wrk_rps=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$base$path" 2>/dev/null \
    | awk '/Requests\/sec/ {printf "%d", $2}')
  ratio=$(python3 -c "print(f'{${wrk_rps:-0} / $RATE:.1f}x')")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$path" "$RATE" "$achieved" "$p50" "$p99" "$errors" "${wrk_rps:-?}" "$ratio"
  if ! python3 -c "import sys; sys.exit(0 if $p99 < 50 and $errors == 0 and $achieved >= 0.98 * $RATE else 1)"; then status=1; fi
done
echo
[ "$status" -eq 0 ] && log "every endpoint held $RATE req/s with p99 < 50 ms" || log "an endpoint missed $RATE req/s or p99 < 50 ms"
exit "$status"
