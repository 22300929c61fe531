#!/usr/bin/env bash
# Times the SQLite ledger through the ledger-bench executable (release build): durable appends per second
# from one process, each its own transaction with synchronous = FULL (target at least 2,000/s), and
# `verify` of 100,000 records, every hash and link, unsigned and with every record signed with Ed25519
# (target under 5 s), and the release gate of one release in a ledger of 100,000 records across many
# releases (target under 200 ms). Prints each run and the medians. The ledgers live in a temporary
# folder on the same file system as /tmp: on tmpfs the fsyncs cost nothing, so set TMPDIR to a disk to
# measure one.
# Usage: Benchmarks/ledger-bench.sh [runs] [--debug]   (default 5 runs; --debug uses the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
config=release
[ "${2:-}" = "--debug" ] && config=debug

echo "building ledger-bench ($config)…" >&2
swift build -c "$config" --product ledger-bench >&2
bench=$(swift build -c "$config" --show-bin-path)/ledger-bench

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-ledger-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "ledgers in $work ($(df --output=fstype "$work" | tail -1)), $config build"

echo
echo "== durable appends from one process (5,000 per run)"
"$bench" appends "$work" 5000 "$runs"
echo
echo "== verify of 100,000 records, unsigned"
"$bench" verify "$work" 100000 "$runs"
echo
echo "== verify of 100,000 records, every one signed (Ed25519)"
"$bench" verify "$work" 100000 "$runs" --signed
echo
echo "== gate of one release in a ledger of 100,000 records"
"$bench" gate "$work" 100000 "$runs"
