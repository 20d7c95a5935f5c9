#!/usr/bin/env bash
# Backup: a custom-format pg_dump of the database, the media files, and the row count of
# every table taken in the very snapshot the dump was taken from (what `restore-check.sh`
# compares a restore with). Encrypted for the coalition's backup key: signer lists are the
# most sensitive thing Harbour holds, and a backup must not sit in clear on another disk.
#
#   deploy/backup.sh DEST_DIR
#
# Environment:
#   DATABASE_URL            the PostgreSQL database (required)
#   HARBOUR_BACKUP_ENCRYPT  age:<recipient>  (age public key, or a file of them with age:@file)
#                           gpg:<key id>      (a public key in the keyring)
#                           none              (only for a disk that is itself encrypted)
#   HARBOUR_BACKUP_KEEP_DAYS  delete backups older than this (default 30)
#   HARBOUR_MEDIA_ROOT      uploaded media (default var/media next to this directory)
set -euo pipefail
dest=${1:?usage: backup.sh DEST_DIR}
: "${DATABASE_URL:?DATABASE_URL must be set}"
encrypt=${HARBOUR_BACKUP_ENCRYPT:?set HARBOUR_BACKUP_ENCRYPT to age:<recipient>, gpg:<key id> or none}
keep_days=${HARBOUR_BACKUP_KEEP_DAYS:-30}
here=$(cd "$(dirname "$0")" && pwd)
media=${HARBOUR_MEDIA_ROOT:-$here/../var/media}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$dest"

case "$encrypt" in
  age:@*) suffix=.age; seal() { age --encrypt --recipients-file "${encrypt#age:@}"; } ;;
  age:*) suffix=.age; seal() { age --encrypt --recipient "${encrypt#age:}"; } ;;
  gpg:*) suffix=.gpg; seal() { gpg --batch --yes --trust-model always --encrypt --recipient "${encrypt#gpg:}"; } ;;
  none) suffix=; seal() { cat; } ;;
  *) echo "HARBOUR_BACKUP_ENCRYPT: expected age:..., gpg:... or none" >&2; exit 2 ;;
esac

# One transaction holds a snapshot open; pg_dump dumps exactly that snapshot and the
# counts are read in it, so they describe the dump even while the site takes signatures.
coproc SNAP { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1; }
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot();" >&"${SNAP[1]}"
read -r snapshot <&"${SNAP[0]}"
dump="$dest/harbour-$stamp.dump$suffix"
pg_dump --format=custom --no-owner --snapshot="$snapshot" "$DATABASE_URL" | seal > "$dump.part"
cat >&"${SNAP[1]}" <<'SQL'
SELECT table_name || ' ' || (xpath('/row/n/text()', query_to_xml(
  format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;
\echo __end__
SQL
counts="$dest/harbour-$stamp.counts"
: > "$counts.part"
while read -r line <&"${SNAP[0]}"; do
  [ "$line" = "__end__" ] && break
  echo "$line" >> "$counts.part"
done
echo "COMMIT;" >&"${SNAP[1]}"
exec {SNAP[1]}>&-
wait "$SNAP_PID" 2>/dev/null || true
mv "$dump.part" "$dump"
mv "$counts.part" "$counts"

if [ -d "$media" ]; then
  tar -C "$(dirname "$media")" -cz "$(basename "$media")" | seal > "$dest/harbour-media-$stamp.tar.gz$suffix"
fi
find "$dest" -maxdepth 1 -name 'harbour-*' -mtime +"$keep_days" -delete
echo "backup written: $dump ($(wc -l < "$counts") tables counted)"
