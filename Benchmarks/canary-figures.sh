#!/usr/bin/env bash
# The canary figures, in one run, loopback only.
#   1. Damage and rollback time: `greenlight demo` $RUNS times (DemoShop v2 as the canary: 5 % of its
#      product and order requests fail, 80 ms slower; steps 1, 10, 50, 100 %, 1 s intervals). Per run:
#      the step it was caught at, the share of all requests during the rollout that failed on the
#      canary, and the seconds from the end of the failing interval to weight 0.
#   2. False alarms: `greenlight demo --good-canary` $RUNS times: how many healthy canaries were
#      promoted. (100 rollouts: RolloutFalseAlarmTests simulates them as the router measures them.)
#   3. Chaos: DemoShop v1 twice (baseline and canary, each a process), `greenlight router`, users (8
#      threads of GETs, a random X-User each), `greenlight rollout` (steps 20, 50, 100; bake 6 s;
#      1 s intervals); 2 s into the first step the canary process is killed (SIGKILL). Prints the
#      users' failed requests after the first second, the time from the kill to the rollback, and the
#      ledger's rollback record.
#
# Usage: Benchmarks/canary-figures.sh        Env: RUNS=5  GREENLIGHT=path (else scripts/build-release)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
log() { printf '[canary-figures] %s\n' "$*" >&2; }
if [ -z "${GREENLIGHT:-}" ]; then
  log "building greenlight (release)…"
  GREENLIGHT=$(scripts/build-release)
fi
work=$(mktemp -d /tmp/canary-figures.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

log "1. a bad canary, $RUNS demos"
for run in $(seq 1 "$RUNS"); do
  "$GREENLIGHT" demo > "$work/bad-$run.txt" 2>&1 || true
  grep -E '^canary: |^step [0-9]/4' "$work/bad-$run.txt" | sed "s/^/  run $run: /" >&2
done
log "2. a good canary, $RUNS demos"
for run in $(seq 1 "$RUNS"); do
  "$GREENLIGHT" demo --good-canary > "$work/good-$run.txt" 2>&1 || true
  grep -E '^canary: ' "$work/good-$run.txt" | sed "s/^/  run $run: /" >&2
done

log "3. chaos: the canary process killed mid-step"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
base=$(free_port); canary=$(free_port); listen=$(free_port); admin=$(free_port)
"$GREENLIGHT" demo shop --port "$base" > "$work/base.log" 2>&1 & pids+=($!)
"$GREENLIGHT" demo shop --port "$canary" > "$work/canary.log" 2>&1 & canary_pid=$!; pids+=($canary_pid)
"$GREENLIGHT" risk --show-policy | sed -e 's/first_step_max_percent: 5     #/first_step_max_percent: 20    #/' \
  -e 's/min_bake: 5m /min_bake: 1s /' > "$work/policy.yaml"
cat > "$work/release.yaml" <<YAML
version: 1
service: { name: checkout, version: "2.14.0", owner: payments }
risk: { likelihood: 1, impact: 1 }
rollout:
  steps: [20, 50, 100]
  bake: 6s
  interval: 1s
  feature_flag: checkout-v2
  sticky_key: { header: X-User }
  analysis:
    metrics:
      - { name: error_rate, direction: increase, critical: true }
      - { name: latency, direction: increase }
  proxy: { listen: "127.0.0.1:$listen", baseline: "http://127.0.0.1:$base", canary: "http://127.0.0.1:$canary",
           admin_listen: "127.0.0.1:$admin" }
rollback: { automated: true }
signoff: { required: [engineering] }
YAML
export GREENLIGHT_LEDGER="$work/ledger.sqlite"
"$GREENLIGHT" ledger init --admin-key "$work/admin.key" > /dev/null
"$GREENLIGHT" flag set checkout-v2 --variant on=true --variant off=false --default on > /dev/null
for port in "$base" "$canary"; do wait_port "$port"; done
"$GREENLIGHT" router "$work/release.yaml" > "$work/router.log" 2>&1 & pids+=($!)
wait_port "$listen"
python3 - "$listen" "$work/users.json" <<'PY' & users_pid=$!
import json, random, sys, threading, time, urllib.request
port, out = int(sys.argv[1]), sys.argv[2]
stop = time.time() + 14
failures, total = [], [0]
lock = threading.Lock()
def user():
    while time.time() < stop:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/products",
                                     headers={"X-User": f"u{random.randrange(100000)}"})
        ok = False
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                ok = r.status == 200
        except Exception:
            pass
        with lock:
            total[0] += 1
            if not ok: failures.append(time.time())
threads = [threading.Thread(target=user) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
json.dump({"total": total[0], "failures": failures}, open(out, "w"))
PY
pids+=($users_pid)
sleep 1
"$GREENLIGHT" rollout "$work/release.yaml" --policy "$work/policy.yaml" > "$work/rollout.txt" 2>&1 & rollout_pid=$!
sleep 3
kill_time=$(python3 -c 'import time; print(time.time())')
kill -9 "$canary_pid"
wait "$rollout_pid" || true
wait "$users_pid" || true
cat "$work/rollout.txt" | sed 's/^/  rollout: /' >&2
python3 - "$work/users.json" "$kill_time" <<'PY'
import json, sys
data = json.load(open(sys.argv[1])); kill = float(sys.argv[2])
late = [f for f in data["failures"] if f > kill + 1]
first = [f for f in data["failures"] if kill <= f <= kill + 1]
print(f"chaos: {data['total']} user requests; failed in the first second after the kill: {len(first)}; "
      f"failed after it: {len(late)}")
PY
{ "$GREENLIGHT" ledger show checkout@2.14.0 || true; } | grep -E 'rollout-event' | tail -3 | sed 's/^/  ledger: /' >&2 || true

python3 - "$work" "$RUNS" <<'PY'
import glob, re, statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
damage, zero, caught = [], [], []
for f in sorted(glob.glob(f"{work}/bad-*.txt")):
    text = open(f).read()
    m = re.search(r"weight 0 ([0-9.]+) s after the failing interval\) after ([0-9.]+) s; (\d+) requests, (\d+) failed on the canary \(([0-9.]+) % of all\)", text)
    if m:
        zero.append(float(m.group(1))); damage.append(float(m.group(5)))
    steps = re.findall(r"^step (\d)/4", text, re.M)
    caught.append(int(steps[-1]) if steps else 0)
promoted = sum("canary: promoted to 100 %" in open(f).read() for f in glob.glob(f"{work}/good-*.txt"))
print(f"bad canary: rolled back in {len(damage)} of {runs} runs, caught at step(s) {caught}")
if damage:
    print(f"  damage (failed on the canary / all requests during the rollout): median {statistics.median(damage):.3f} %, max {max(damage):.3f} % (target <= 0.05 %)")
    print(f"  weight 0 after the failing interval: median {statistics.median(zero):.3f} s, max {max(zero):.3f} s (target <= 1 s)")
print(f"good canary: promoted in {promoted} of {runs} runs")
PY
