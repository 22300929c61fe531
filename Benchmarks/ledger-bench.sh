#!/usr/bin/env bash
# Times the ledger through the ledger-bench executable (release build): durable appends per second
# from one process, each its own transaction with synchronous = FULL (target at least 2,000/s), and
# `verify` of 100,000 records, every hash and link, unsigned and with every record signed with Ed25519
# (target under 5 s), signed sign-offs through ReleaseLedger from one process (target at least 2,000/s),
# and the release gate of one release in a ledger of 100,000 records across many releases (target under
# 200 ms). Prints each run and the medians. The ledgers live in a temporary folder on the same file
# system as /tmp: on tmpfs the fsyncs cost nothing, so set TMPDIR to a disk to measure one.
#
# Then the same appends to PostgreSQL (synchronous_commit = on, fsync on): to the database of
# LEDGER_BENCH_POSTGRES (a postgres:// URL) when set, else to a throwaway local cluster (initdb and
# pg_ctl run as user postgres, so only as root), else skipped.
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
pg=""
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
cleanup() {
  if [ -n "$pg" ] && [ -f "$pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work" ${pg:+"$pg"}
}
trap cleanup EXIT
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
echo
echo "== signed sign-offs through ReleaseLedger from one process (2,000 per run, 8 signers)"
"$bench" signoff-rate "$work" 2000 "$runs"
echo
echo "== durable appends to PostgreSQL from one process (5,000 per run)"
pg_url=${LEDGER_BENCH_POSTGRES:-}
if [ -z "$pg_url" ] && [ -x "$pg_bin/initdb" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
  # A cluster of its own, with PostgreSQL's durable defaults (fsync on), on the same disk as the SQLite ledgers.
  pg=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-ledger-bench-pg.XXXXXX")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  echo "bench-Secret" >"$pg/pwfile"
  chown -R postgres:postgres "$pg"
  chmod 700 "$pg"
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg/data" -U bench --pwfile="$pg/pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
    -o "-p $port -k $pg -c listen_addresses=127.0.0.1" start >/dev/null
  pg_url="postgres://bench:bench-Secret@127.0.0.1:$port/postgres?sslmode=disable"
  echo "a throwaway PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') cluster in $pg, fsync on"
fi
if [ -n "$pg_url" ]; then
  "$bench" appends "$pg_url" 5000 "$runs"
else
  echo "skipped: set LEDGER_BENCH_POSTGRES=postgres://… or run as root with PostgreSQL installed"
fi
