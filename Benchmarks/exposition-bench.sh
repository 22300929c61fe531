#!/usr/bin/env bash
# Times greenlight's exposition parser (ExpositionParser, through the exposition-bench executable built
# in release) on 10 MiB expositions, and the peer a team would otherwise reach for, promtool's
# `check metrics` (Prometheus' own text parser plus its lint), side by side on the same files.
# Prints the in-process parse medians against the budget (10 MB in under 200 ms), then hyperfine's
# whole-process medians of both tools and their ratio. Needs hyperfine and promtool (apt: hyperfine,
# prometheus) and python3.
# Usage: Benchmarks/exposition-bench.sh [runs]   (default 21 parses in process, 10 hyperfine runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v promtool >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

echo "building exposition-bench (release)…" >&2
swift build -c release --product exposition-bench >&2
bench=$(swift build -c release --show-bin-path)/exposition-bench

work=$(mktemp -d /tmp/greenlight-exposition-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Three 10 MiB inputs:
#   prometheus.txt  Prometheus 2.42's own /metrics (the fixture), copied with renamed families: HELP-heavy,
#                   few labels, as a Go service's /metrics reads.
#   service.txt     a service's request metrics: a counter by route, method and status and a latency
#                   histogram by route and method (12 buckets), thousands of series.
#   service.om.txt  the same as OpenMetrics (counter family without _total, # EOF); promtool cannot read it.
python3 - "$work" Tests/GreenlightObserveTests/Fixtures/prometheus-2.42.txt <<'PY'
import sys, pathlib
work, fixture = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
target = 10 * 1024 * 1024

def renamed(prefix):
    out = []
    for line in fixture.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            out.append(line[:7] + prefix + line[7:])
        elif line and not line.startswith("#"):
            out.append(prefix + line)
        else:
            out.append(line)
    return "\n".join(out) + "\n"

parts, size, copy = [], 0, 0
while size < target:
    part = renamed(f"c{copy:04d}_")
    parts.append(part)
    size += len(part)
    copy += 1
(work / "prometheus.txt").write_text("".join(parts))

bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
def service(om):
    def route_lines(r):
        route = f"/api/v1/resource{r}/{{id}}"
        counter, histogram = [], []
        for method in ("GET", "POST", "PUT"):
            for status in ("200", "404", "500"):
                counter.append(f'http_requests_total{{route="{route}",method="{method}",status="{status}"}} {r * 7 + 13}\n')
            labels = f'route="{route}",method="{method}"'
            for i, le in enumerate(bounds):
                histogram.append(f'http_request_duration_seconds_bucket{{{labels},le="{le}"}} {r + i * 3}\n')
            histogram.append(f"http_request_duration_seconds_sum{{{labels}}} {r * 0.0123:.6f}\n")
            histogram.append(f"http_request_duration_seconds_count{{{labels}}} {r + 33}\n")
        return counter, histogram
    per_route = sum(len(l) for ls in route_lines(1000) for l in ls)
    routes = target // per_route + 1
    counters, histograms = [], []
    for r in range(routes):
        c, h = route_lines(r)
        counters += c
        histograms += h
    counter_family = "http_requests" if om else "http_requests_total"
    text = (f"# HELP {counter_family} HTTP requests answered, by route template, method and status.\n"
            f"# TYPE {counter_family} counter\n" + "".join(counters)
            + "# HELP http_request_duration_seconds Time to answer HTTP requests.\n"
            + "# TYPE http_request_duration_seconds histogram\n" + "".join(histograms))
    return text + ("# EOF\n" if om else "")
(work / "service.txt").write_text(service(False))
(work / "service.om.txt").write_text(service(True))
PY

echo
echo "== in process: ExpositionParser.parse, median of $runs parses each (release build)"
declare -A median
for input in prometheus.txt service.txt service.om.txt; do
  out=$("$bench" "$work/$input" "$runs")
  echo "$input: $out" | tr '\n' ' '
  echo
  median[$input]=$(echo "$out" | sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p')
done

echo
echo "== whole process: exposition-bench FILE 1 vs promtool check metrics < FILE (hyperfine, 10 runs)"
hyperfine --warmup 2 --runs 10 -i --export-json "$work/results.json" \
  -n "greenlight prometheus.txt" "$bench $work/prometheus.txt 1" \
  -n "promtool prometheus.txt" "promtool check metrics < $work/prometheus.txt" \
  -n "greenlight service.txt" "$bench $work/service.txt 1" \
  -n "promtool service.txt" "promtool check metrics < $work/service.txt" \
  > "$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log"; exit 1; }

python3 - "$work/results.json" "${median[prometheus.txt]}" "${median[service.txt]}" "${median[service.om.txt]}" <<'PY'
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
for k, v in r.items():
    print(f"{k:32} {v:9.1f} ms")
print()
inproc = {"prometheus.txt": float(sys.argv[2]), "service.txt": float(sys.argv[3]), "service.om.txt": float(sys.argv[4])}
worst = max(inproc.values())
print(f"budget: 10 MiB parse, in process, slowest input = {worst:.1f} ms (target < 200 ms): {'PASS' if worst < 200 else 'FAIL'}")
for name in ("prometheus.txt", "service.txt"):
    g, p = r[f"greenlight {name}"], r[f"promtool {name}"]
    print(f"ratio: greenlight / promtool check metrics, {name} (whole process) = {g / p:.2f}x the peer's time")
PY
