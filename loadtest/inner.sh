#!/usr/bin/env bash
# The load test proper; loadtest/run.sh runs it inside scripts/with-postgres.sh
# (which exports DATABASE_URL, PGHOST, PGPORT, PGUSER and PGBIN).
#
# 1. seed: migrate (production settings), load_demo_data (dev settings: it refuses
#    production), N trainees through the real services (production settings);
# 2. scripts/serve-prod.sh on 127.0.0.1:$LOADTEST_PORT;
# 3. loadtest/trainees.py: USERS trainees for DURATION seconds, with two faults
#    in the middle: one gunicorn worker killed (kill -9), PostgreSQL restarted
#    (pg_ctl restart -m fast);
# 4. loadtest/ratio.py: course page vs a plain page (the demo's information
#    page), and the home page for reference, signed in;
# 5. loadtest/verify.py: acknowledged writes exactly once, nothing half-written;
# 5b. with LOADTEST_FS (a tmpfs holding PostgreSQL's files): disk full mid-load;
# 6. reminders with the mail server down (a closed loopback port), then a retry
#    with the console e-mail backend (the settings read no EMAIL_FILE_PATH);
# 7. loadtest/report.py: the table, printed and written to bench-results/.
#
# MODE=capacity (loadtest/run.sh sets USERS to MAX_TRAINEES): steps 1 and 2,
# then loadtest/capacity.py (trainees added in steps until the p95 of page views
# passes 500 ms), then loadtest/verify.py (exactly once); no faults, no ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${LOADTEST_OUT:?}" "${LOADTEST_PORT:?}" "${DATABASE_URL:?}" "${PGBIN:?}"
out="$LOADTEST_OUT"
port="$LOADTEST_PORT"
USERS="${USERS:-50}"
DURATION="${DURATION:-60}"
KILL_AT="${KILL_AT:-$((DURATION / 3))}"
RESTART_AT="${RESTART_AT:-$((DURATION * 3 / 5))}"
PY=.venv/bin/python
PYSYS=python3
plan="$out/plan.json"
export LOADTEST_OUT="$out" LOADTEST_PLAN="$plan"
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
prod() { DJANGO_SETTINGS_MODULE=config.settings.production "$@"; }
step() { echo "loadtest: $*" >&2; }

step "seed: migrate, load_demo_data, $USERS trainees"
t=$(date +%s)
prod $PY manage.py migrate --no-input -v 0
DJANGO_SETTINGS_MODULE=config.settings.dev $PY manage.py load_demo_data >"$out/seed.log" 2>&1
LOADTEST_TRAINEES="$USERS" prod $PY manage.py shell -v 0 \
    -c "exec(open('loadtest/setup_trainees.py').read())" | tee -a "$out/seed.log" >&2
step "seeded in $(($(date +%s) - t))s"

datadir="$("$PGBIN/psql" -Atc 'show data_directory' app)"
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)

PORT="$port" GUNICORN_PIDFILE="$out/gunicorn.pid" WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}" \
    setsid scripts/serve-prod.sh >"$out/server.log" 2>&1 &
server=$!
stop_server() {
    kill -TERM -- "-$server" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$server" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$server" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 240); do
    kill -0 "$server" 2>/dev/null || { tail -30 "$out/server.log" >&2; exit 1; }
    curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >&2 && echo >&2

if [ "${MODE:-default}" = capacity ]; then
    step "capacity: ${START:-50} trainees, ${STEP:-50} more every ${STEP_SECONDS:-40}s, up to ${MAX_TRAINEES:-1000} or ${MAX_SECONDS:-840}s"
    $PYSYS loadtest/capacity.py --port "$port" --plan "$plan" --out "$out" \
        --start "${START:-50}" --step "${STEP:-50}" --step-seconds "${STEP_SECONDS:-40}" \
        --max-trainees "${MAX_TRAINEES:-1000}" --max-seconds "${MAX_SECONDS:-840}" \
        --p95-ms "${P95_MS:-500}" --seed "${SEED:-1}" --confirm "${CONFIRM:-1}" \
        --server-pid "$server" --pg-pidfile "$datadir/postmaster.pid"
    step "verify the database"
    prod $PY manage.py shell -v 0 -c "exec(open('loadtest/verify.py').read())" >&2
    stop_server
    trap - EXIT
    exit 0
fi

# Faults, as shell commands the load generator runs at a time into the load.
kill_worker="w=\$(pgrep -P \$(cat '$out/gunicorn.pid') | head -1); kill -9 \$w && echo killed worker \$w; sleep 3; echo workers now: \$(pgrep -P \$(cat '$out/gunicorn.pid') | tr '\n' ' ')"
restart_db="${as_pg[*]} '$PGBIN/pg_ctl' -D '$datadir' -l '$datadir/../server.log' -m fast -w -t 30 restart"

step "load: $USERS trainees for ${DURATION}s; worker killed at ${KILL_AT}s, PostgreSQL restarted at ${RESTART_AT}s"
$PYSYS loadtest/trainees.py --port "$port" --plan "$plan" --users "$USERS" \
    --duration "$DURATION" --out "$out" \
    --fault "kill_worker@$KILL_AT=$kill_worker" \
    --fault "db_restart@$RESTART_AT=$restart_db"

step "course page vs plain page"
$PYSYS loadtest/ratio.py --port "$port" --plan "$plan" --plain /huong-dan/ --home / \
    --connections "${RATIO_CONNECTIONS:-4}" --seconds "${RATIO_SECONDS:-16}" --out "$out" ||
    echo '{"error": "ratio run failed"}' >"$out/ratio.json"

SECURE_SSL_REDIRECT=false prod $PY manage.py shell -v 0 \
    -c "exec(open('loadtest/queries.py').read())" >&2 || true

step "verify the database"
prod $PY manage.py shell -v 0 -c "exec(open('loadtest/verify.py').read())" >&2

if [ -n "${LOADTEST_FS:-}" ]; then
    # PostgreSQL's files live on a small tmpfs (loadtest/run.sh): fill it during a
    # short load, free it, and check that the site recovers and nothing is lost.
    step "disk full: ${DISKFULL_USERS:-10} trainees for ${DISKFULL_DURATION:-30}s, the PostgreSQL file system filled at 8s, freed at 18s"
    mkdir -p "$out/diskfull"
    fill="dd if=/dev/zero of='$LOADTEST_FS/filler' bs=1M status=none; df -h '$LOADTEST_FS' | tail -1"
    free="rm -f '$LOADTEST_FS/filler'; df -h '$LOADTEST_FS' | tail -1; sleep 2
if ${as_pg[*]} '$PGBIN/pg_ctl' -D '$datadir' status >/dev/null; then echo 'PostgreSQL still running'
else echo 'PostgreSQL had stopped: starting it'; ${as_pg[*]} '$PGBIN/pg_ctl' -D '$datadir' -l '$datadir/../server.log' -w -t 60 start; fi"
    $PYSYS loadtest/trainees.py --port "$port" --plan "$plan" \
        --users "${DISKFULL_USERS:-10}" --duration "${DISKFULL_DURATION:-30}" --out "$out/diskfull" \
        --fault "disk_full@8=$fill" --fault "disk_full_end@18=$free"
    rm -f "$LOADTEST_FS/filler"
    LOADTEST_OUT="$out/diskfull" LOADTEST_PRIOR_ACKS="$out/acks.json" prod $PY manage.py shell -v 0 \
        -c "exec(open('loadtest/verify.py').read())" >&2
    grep -h "No space left\|PANIC" "$datadir/../server.log" | tail -5 >"$out/diskfull/postgres-errors.txt" || true
fi

stop_server
trap - EXIT

step "reminders with the mail server down"
closed_port="$($PYSYS -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
state() { prod $PY manage.py shell -v 0 -c "exec(open('loadtest/reminder_state.py').read())"; }
state >"$out/reminders-before.json"
immediate=django_tasks.backends.immediate.ImmediateBackend
set +e
TASKS_BACKEND=$immediate EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
    EMAIL_HOST=127.0.0.1 EMAIL_PORT="$closed_port" EMAIL_TIMEOUT=3 \
    timeout 300 env DJANGO_SETTINGS_MODULE=config.settings.production \
    $PY manage.py send_reminders >"$out/reminders-down.log" 2>&1
echo "{\"rc\": $?, \"port\": $closed_port}" >"$out/reminders-down-rc.json"
state >"$out/reminders-down.json"
TASKS_BACKEND=$immediate EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
    timeout 300 env DJANGO_SETTINGS_MODULE=config.settings.production \
    $PY manage.py send_reminders >"$out/reminders-up.log" 2>"$out/reminders-up.err"
echo "{\"rc\": $?}" >"$out/reminders-up-rc.json"
MAIL_LOG="$out/reminders-up.log" state >"$out/reminders-up.json"
set -e
