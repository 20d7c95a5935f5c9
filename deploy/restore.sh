#!/usr/bin/env bash
# Restore a backup written by backup.sh into a database (which should be new and empty),
# and optionally its media archive into HARBOUR_MEDIA_ROOT.
#
#   deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL [MEDIA_ARCHIVE]
#
# An encrypted file is decrypted on the way (age: HARBOUR_BACKUP_AGE_IDENTITY, the private
# key file; gpg: the keyring). Afterwards run `manage.py migrate` (a newer release) and
# `manage.py signons_maintenance` (recounts).
set -euo pipefail
dump=${1:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL [MEDIA_ARCHIVE]}
target=${2:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL [MEDIA_ARCHIVE]}
media_archive=${3:-}

open_file() {
  case "$1" in
    *.age) age --decrypt --identity "${HARBOUR_BACKUP_AGE_IDENTITY:?set HARBOUR_BACKUP_AGE_IDENTITY}" "$1" ;;
    *.gpg) gpg --batch --quiet --decrypt "$1" ;;
    *) cat "$1" ;;
  esac
}

open_file "$dump" | pg_restore --no-owner --exit-on-error --dbname="$target"
if [ -n "$media_archive" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  media=${HARBOUR_MEDIA_ROOT:-$here/../var/media}
  mkdir -p "$(dirname "$media")"
  open_file "$media_archive" | tar -C "$(dirname "$media")" -xz
fi
echo "restored $dump"
