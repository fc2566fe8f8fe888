#!/usr/bin/env bash
# Rehearse the backup and restore procedure of docs/deploy.md on a throwaway
# PostgreSQL server: migrate, add data and a media file, back up with pg_dump
# and tar, destroy the database and media, restore, and compare.
#
#   scripts/check-backup-restore.sh
#
# The commands are the documented ones, run as the postgres superuser over
# 127.0.0.1 (PGHOST/PGUSER from scripts/with-postgres.sh) instead of
# `sudo -u postgres` over the local socket.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PGPORT:-}" ]; then
    exec scripts/with-postgres.sh "$0" "$@"
fi

PY=.venv/bin/python
work="$(mktemp -d)"
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
backups="$work/backups"
mkdir -p "$backups" "$work/spokes/media/documents"

# Production layout: a role and a database of its own; the app connects as it.
psql -q -d postgres -c "CREATE ROLE spokes LOGIN PASSWORD 'rehearsal'"
createdb -O spokes spokes
export DATABASE_URL="postgres://spokes:rehearsal@127.0.0.1:$PGPORT/spokes"
export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
export MEDIA_ROOT="$work/spokes/media"

echo "== migrate and add data"
$PY manage.py migrate --no-input -v 0
$PY - <<'PY'
import django

django.setup()
from accounts.models import Agency, User

agency = Agency.objects.create(code="QNG-STTTT", name="Sở Thông tin và Truyền thông")
for n in range(3):
    User.objects.create_user(
        email=f"hoc-vien-{n}@quangngai.gov.vn", password="x" * 12,
        full_name=f"Nguyễn Văn {n}", agency=agency,
    )
PY
echo "Tài liệu tập huấn người phát ngôn" >"$MEDIA_ROOT/documents/tai-lieu.txt"

snapshot() {
    $PY - <<'PY'
import django

django.setup()
from django.db import connection

with connection.cursor() as cursor:
    for table in ["accounts_user", "accounts_agency", "wagtailcore_page", "django_migrations"]:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        print(table, cursor.fetchone()[0])
    cursor.execute("SELECT string_agg(email, ',' ORDER BY email) FROM accounts_user")
    print("emails", cursor.fetchone()[0])
PY
    sha256sum "$MEDIA_ROOT/documents/tai-lieu.txt" | cut -d' ' -f1
}
snapshot >"$work/before.txt"
cat "$work/before.txt"

echo "== back up (docs/deploy.md, Backups)"
stamp="$(date +%Y%m%d-%H%M%S)"
pg_dump --format=custom --file="$backups/spokes-$stamp.dump" spokes
tar -C "$work/spokes" -czf "$backups/media-$stamp.tar.gz" media
pg_restore --list "$backups/spokes-$stamp.dump" >/dev/null
ls -l "$backups"

echo "== lose everything"
dropdb spokes
rm -rf "$MEDIA_ROOT"

echo "== restore (docs/deploy.md, Restoring)"
createdb -O spokes spokes
pg_restore --no-owner --role=spokes --exit-on-error --dbname=spokes \
    "$backups/spokes-$stamp.dump"
tar -C "$work/spokes" -xzf "$backups/media-$stamp.tar.gz"
$PY manage.py migrate --check -v 0

snapshot >"$work/after.txt"
diff "$work/before.txt" "$work/after.txt"
health="$($PY -c '
import django
django.setup()
from django.test import Client
r = Client(HTTP_HOST="localhost").get("/healthz")
print(r.status_code, r.content.decode())
')"
echo "healthz after restore: $health"
[[ "$health" == 200* ]]
echo "backup and restore rehearsal: OK (data, media and migrations identical)"
