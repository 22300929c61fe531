#!/usr/bin/env bash
# Times `greenlight observe` against DemoShop and a real Alertmanager: every observability check
# (metrics scraped before and after greenlight's own requests, structured logs, the diagnosis test,
# traces, health, alert rules with promtool, the routes walked offline, a test page through
# Alertmanager to greenlight's receiver). The issue's budget is 5 s. Alongside, the same alert
# path done by hand with the tools an SRE would stitch together (promtool check rules, amtool config
# routes test, amtool alert add, then polling the webhook's log), to show what the check replaces.
#
# Usage: Benchmarks/observe-bench.sh
# Env:   ROUNDS=5   GREENLIGHT=path (else scripts/build-release builds it)
# Needs: prometheus-alertmanager (or alertmanager), promtool and amtool on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
GREENLIGHT=${GREENLIGHT:-$(scripts/build-release)}
ALERTMANAGER=$(command -v prometheus-alertmanager || command -v alertmanager || true)
[ -n "$ALERTMANAGER" ] || { echo "install prometheus-alertmanager first" >&2; exit 2; }

log() { printf '[observe-bench] %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

shop=$(free_port); am=$(free_port); hook=$(free_port)
"$GREENLIGHT" demo shop --port "$shop" --log "$work/shop.log" >"$work/shop.out" 2>&1 &
pids+=($!)
mkdir -p "$work/monitoring" "$work/runbooks"
printf '# runbook\n' >"$work/runbooks/shop.md"
cat >"$work/monitoring/rules.yml" <<'EOF'
groups:
  - name: shop
    rules:
      - alert: ShopDown
        expr: up{job="shop"} == 0
        for: 1m
        labels: { severity: page, team: shop }
        annotations: { summary: the shop is down, runbook_url: runbooks/shop.md }
EOF
cat >"$work/alertmanager.yml" <<EOF
route:
  receiver: team
  group_wait: 1s
  group_interval: 1s
  routes:
    - { matchers: ['severity="page"'], receiver: oncall }
receivers:
  - { name: oncall, webhook_configs: [{ url: "http://127.0.0.1:$hook/" }] }
  - { name: team, webhook_configs: [{ url: "http://127.0.0.1:$hook/team" }] }
EOF
"$ALERTMANAGER" --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
  --web.listen-address="127.0.0.1:$am" --cluster.listen-address= --log.level=warn >"$work/am.out" 2>&1 &
pids+=($!)
cat >"$work/release.yaml" <<EOF
version: 1
service: { name: shop, version: 1.0.0, owner: shop-team }
risk: { likelihood: 1, impact: 1 }
environments:
  staging: { url: "http://127.0.0.1:$shop" }
observability:
  metrics:
    endpoint: /metrics
    require:
      - { name: http_requests_total, type: counter, labels: [route, method, status], moves: true }
      - { name: http_request_duration_seconds, type: histogram, labels: [route] }
  logs: { file: shop.log, require_fields: [ts, level, msg, trace_id], diagnosis: { within: 10s } }
  traces: { propagation: w3c }
  health: { path: /healthz, within: 30s }
  alerts:
    rules: [monitoring/rules.yml]
    alertmanager:
      url: http://127.0.0.1:$am
      receiver: oncall
      within: 10s
      config: alertmanager.yml
      webhook: 127.0.0.1:$hook
EOF
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$am/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$shop/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }

log "greenlight observe, $ROUNDS rounds"
: >"$work/greenlight.times"
for i in $(seq "$ROUNDS"); do
  start=$(now)
  status=0
  "$GREENLIGHT" observe "$work/release.yaml" >"$work/observe.out" 2>&1 || status=$?
  end=$(now)
  [ "$status" -eq 0 ] || { cat "$work/observe.out" >&2; log "observe exited $status"; exit 1; }
  awk -v a="$end" -v b="$start" 'BEGIN { print a - b }' >>"$work/greenlight.times"
done

log "by hand: promtool + amtool + a test alert polled at the receiver, $ROUNDS rounds"
: >"$work/manual.times"
python3 -c '
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(sys.argv[2], "ab").write(body + b"\n"); self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$hook" "$work/hook.log" &
pids+=($!)
sleep 0.3
for i in $(seq "$ROUNDS"); do
  id="bench-$i-$RANDOM"
  start=$(now)
  promtool check rules "$work/monitoring/rules.yml" >/dev/null
  amtool config routes test --config.file="$work/alertmanager.yml" severity=page alertname=ShopDown >/dev/null
  amtool alert add --alertmanager.url="http://127.0.0.1:$am" alertname=ShopDown severity=page team=shop "test_id=$id" >/dev/null
  until grep -q "$id" "$work/hook.log" 2>/dev/null; do sleep 0.05; done
  end=$(now)
  awk -v a="$end" -v b="$start" 'BEGIN { print a - b }' >>"$work/manual.times"
done

g=$(median <"$work/greenlight.times"); m=$(median <"$work/manual.times")
printf '\n| what | median of %s rounds | ratio |\n|---|---|---|\n' "$ROUNDS"
printf '| greenlight observe (all checks, incl. the page) | %.2f s | %.2fx |\n' "$g" "$(awk -v a="$g" -v b="$m" 'BEGIN { print a / b }')"
printf '| promtool + amtool routes + amtool alert add + wait for the page | %.2f s | 1.00x |\n' "$m"
printf '\nbudget: greenlight observe under 5 s: %s\n' "$(awk -v a="$g" 'BEGIN { print (a < 5 ? "met" : "MISSED") }')"
