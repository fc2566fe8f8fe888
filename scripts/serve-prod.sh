#!/usr/bin/env bash
# Production settings, locally: gunicorn on http://127.0.0.1:$PORT plus the tasks
# worker, with whitenoise serving the collected static files.
#
#   PORT=8000 scripts/serve-prod.sh        (what `make serve-prod` runs)
#
# DATABASE_URL unset: a throwaway PostgreSQL server (scripts/with-postgres.sh),
# deleted on exit. DJANGO_SECRET_KEY unset: a random key for this run. Plain HTTP
# on the loopback address, so the HTTPS redirect and secure cookies are off;
# emails go to the console. Ctrl-C stops everything. GUNICORN_PIDFILE set: gunicorn
# writes its master PID there (loadtest/ kills a worker with it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DATABASE_URL:-}" ]; then
    exec scripts/with-postgres.sh "$0" "$@"
fi

PORT="${PORT:-8000}"
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings.production
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export SECURE_COOKIES="${SECURE_COOKIES:-false}"
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}"
export WAGTAILADMIN_BASE_URL="${WAGTAILADMIN_BASE_URL:-http://127.0.0.1:$PORT}"

started=$(date +%s.%N)
echo "serve-prod: collectstatic" >&2
$PY manage.py collectstatic --no-input -v 0
echo "serve-prod: migrate" >&2
$PY manage.py migrate --no-input -v 0
if [ -n "${SERVE_PROD_SETUP:-}" ]; then
    # e.g. SERVE_PROD_SETUP="seed_load" for data to load-test against.
    echo "serve-prod: manage.py $SERVE_PROD_SETUP" >&2
    # shellcheck disable=SC2086
    $PY manage.py $SERVE_PROD_SETUP
fi

worker_pid=""
stop_worker() {
    if [ -n "$worker_pid" ]; then
        kill -TERM "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
$PY manage.py db_worker --no-reload &
worker_pid=$!

ready=$(python3 -c "import time; print(round(time.time() - $started, 1))")
echo "serve-prod: set up in ${ready}s; gunicorn on http://127.0.0.1:$PORT (Ctrl-C stops)" >&2
# Not exec: the trap stops the worker when gunicorn exits. A worker is replaced
# after ~10,000 requests (a guard against slow leaks): starting one costs about
# 2 s of CPU, so replacing every 2,000 spent some 7 % of the CPU on restarts.
.venv/bin/gunicorn config.wsgi \
    --bind "127.0.0.1:$PORT" \
    --workers "${WEB_CONCURRENCY:-2}" \
    --timeout 30 \
    --graceful-timeout 10 \
    --max-requests 10000 --max-requests-jitter 1000 \
    ${GUNICORN_PIDFILE:+--pid "$GUNICORN_PIDFILE"} \
    --no-control-socket
