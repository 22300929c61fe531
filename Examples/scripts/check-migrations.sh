#!/bin/sh
# Every up migration must have a down migration, so the release can be rolled back.
set -eu
cd "$(dirname "$0")/../migrations"
missing=0
for up in *.up.sql; do
  down="${up%.up.sql}.down.sql"
  if [ ! -s "$down" ]; then
    echo "missing or empty: $down"
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "all $(ls *.up.sql | wc -l) migrations have a down script"
exit "$missing"
