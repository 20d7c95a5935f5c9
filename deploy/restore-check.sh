#!/usr/bin/env bash
# Does the latest backup restore? Restores it into a fresh, temporary database on the same
# server and compares the row count of every table with the counts backup.sh took in the
# dump's own snapshot; the temporary database is dropped afterwards.
#
#   deploy/restore-check.sh [BACKUP_DIR]     (default var/backups; DATABASE_URL names the server)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/../var/backups}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL server (any database on it)}"
dump=$(ls -1t "$dir"/harbour-*.dump "$dir"/harbour-*.dump.age "$dir"/harbour-*.dump.gpg 2>/dev/null | head -n 1 || true)
[ -n "$dump" ] || { echo "no backup found in $dir" >&2; exit 1; }
base=${dump%.age}; base=${base%.gpg}
expected=${base%.dump}.counts
[ -f "$expected" ] || { echo "no row counts next to $dump" >&2; exit 1; }

name="harbour_restore_check_$$"
server=${DATABASE_URL%/*}
query=""
case "$DATABASE_URL" in *\?*) query="?${DATABASE_URL#*\?}" ;; esac
scratch="$server/$name$query"
psql "$DATABASE_URL" -qAtX -c "CREATE DATABASE $name" >/dev/null
trap 'psql "$DATABASE_URL" -qAtX -c "DROP DATABASE IF EXISTS $name" >/dev/null' EXIT
"$here/restore.sh" "$dump" "$scratch" >/dev/null
actual=$(mktemp)
psql "$scratch" -qAtX -v ON_ERROR_STOP=1 > "$actual" <<'SQL'
SELECT table_name || ' ' || (xpath('/row/n/text()', query_to_xml(
  format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;
SQL
if [ ! -s "$expected" ]; then
  echo "restore-check: FAILED: the backup counted no tables (an empty database?)" >&2
  rm -f "$actual"
  exit 1
fi
if diff -u "$expected" "$actual"; then
  echo "restore-check: $(basename "$dump") restored; $(wc -l < "$actual") tables, every row count matches."
  rm -f "$actual"
else
  echo "restore-check: FAILED: the restored row counts differ from the backup's (above)." >&2
  rm -f "$actual"
  exit 1
fi
