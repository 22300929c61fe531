#!/usr/bin/env bash
# Times greenlight's validate and check (no runners) against the peer a team would otherwise use in
# CI to lint a spec: Python's PyYAML + jsonschema validating the same file against the same schema.
# Prints medians and ratios. Needs hyperfine (apt) and python3 with pyyaml and jsonschema.
# Usage: Benchmarks/spec-bench.sh [runs]   (default 30 runs per command)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}

command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine; }
python3 -c 'import yaml, jsonschema' 2>/dev/null || python3 -m pip install --quiet pyyaml jsonschema

echo "building greenlight (release)…" >&2
swift build -c release --product greenlight >&2
gl=$(swift build -c release --show-bin-path)/greenlight

work=$(mktemp -d /tmp/greenlight-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$gl" schema > "$work/schema.json"

# A spec with 1,000 custom checklist items, each backed by a file that exists.
cp Examples/release.yaml "$work/big.yaml"
mkdir -p "$work/evidence" "$work/runbooks" "$work/scripts"
cp Examples/runbooks/* "$work/runbooks/"
printf '#!/bin/sh\nexit 0\n' > "$work/scripts/check-migrations.sh"; chmod +x "$work/scripts/check-migrations.sh"
python3 - "$work" <<'PY'
import sys, pathlib
work = pathlib.Path(sys.argv[1])
spec = (work / "big.yaml").read_text()
items = []
for i in range(1000):
    (work / "evidence" / f"item-{i}.md").write_text(f"evidence {i}\n")
    items.append(f"    - {{ id: item-{i}, title: Item {i} reviewed, evidence: {{ file: evidence/item-{i}.md }} }}\n")
spec = spec.replace("  custom:\n", "  custom:\n" + "".join(items), 1)
(work / "big.yaml").write_text(spec)
PY

cat > "$work/peer.py" <<'PY'
import json, sys, yaml, jsonschema
class Loader(yaml.SafeLoader): pass
for k, v in list(Loader.yaml_implicit_resolvers.items()):
    Loader.yaml_implicit_resolvers[k] = [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp']
schema = json.load(open(sys.argv[1]))
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.load(open(sys.argv[2]), Loader=Loader)))
sys.exit(1 if errors else 0)
PY

hyperfine --warmup 3 --runs "$runs" -N -i --export-json "$work/results.json" \
  -n "greenlight validate example" "$gl validate --quiet Examples/release.yaml" \
  -n "greenlight check example" "$gl check --quiet Examples/release.yaml" \
  -n "greenlight validate 1000 items" "$gl validate --quiet $work/big.yaml" \
  -n "greenlight check 1000 items" "$gl check --quiet $work/big.yaml" \
  -n "peer: pyyaml+jsonschema example" "python3 $work/peer.py $work/schema.json Examples/release.yaml" \
  -n "peer: pyyaml+jsonschema 1000 items" "python3 $work/peer.py $work/schema.json $work/big.yaml" \
  > "$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log"; exit 1; }

python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: v["median"] * 1000 for k, v in r.items()}
print(f"{'command':40} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
for k, v in r.items():
    print(f"{k:40} {med[k]:10.1f} {v['min']*1000:8.1f} {v['max']*1000:8.1f}")
print()
print(f"budget: validate+check of the example (sum of medians) = {med['greenlight validate example'] + med['greenlight check example']:.1f} ms (target < 200 ms)")
print(f"budget: check with 1,000 custom items = {med['greenlight check 1000 items']:.1f} ms (target < 1000 ms)")
print(f"ratio: greenlight validate / peer, example   = {med['greenlight validate example'] / med['peer: pyyaml+jsonschema example']:.2f}x the peer's time")
print(f"ratio: greenlight validate / peer, 1000 items = {med['greenlight validate 1000 items'] / med['peer: pyyaml+jsonschema 1000 items']:.2f}x the peer's time")
PY
