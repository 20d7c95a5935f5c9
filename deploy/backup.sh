#!/usr/bin/env bash
# Nightly backup: a custom-format pg_dump and the media files, encrypted for the
# coalition's backup key (signer lists are the most sensitive thing Harbour holds: a backup
# must never sit unencrypted). Usage: deploy/backup.sh /path/to/backups RECIPIENT_KEY_ID
set -euo pipefail
dest=${1:?backup directory}
recipient=${2:?gpg recipient}
: "${DATABASE_URL:?DATABASE_URL must be set}"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$dest"
pg_dump --format=custom --no-owner "$DATABASE_URL" | gpg --encrypt --recipient "$recipient" \
  > "$dest/harbour-$stamp.dump.gpg"
tar -C "$(dirname "$0")/../var" -cz media | gpg --encrypt --recipient "$recipient" \
  > "$dest/harbour-media-$stamp.tar.gz.gpg"
find "$dest" -name 'harbour-*.gpg' -mtime +30 -delete
echo "backup written: $dest/harbour-$stamp.dump.gpg"
