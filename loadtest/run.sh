#!/usr/bin/env bash
# `make loadtest`: trainees under load, with faults, on the loopback address only.
#
#   make loadtest                         USERS=50 DURATION=60 make loadtest
#   MODE=capacity make loadtest           START=50 STEP=50 STEP_SECONDS=40 MAX_TRAINEES=1000
#
# A throwaway PostgreSQL (scripts/with-postgres.sh), seeded with the demo data
# and USERS trainee accounts, serves scripts/serve-prod.sh (gunicorn, production
# settings) on a free port of 127.0.0.1; loadtest/inner.sh then runs the trainee
# journeys (sign in, read, mark done, lesson quiz) for DURATION seconds with a
# gunicorn worker killed and PostgreSQL restarted mid-run, the course/plain page
# throughput ratio, the exactly-once check in the database and the reminders
# fault (mail server down, then a retry), and, as root, a disk-full phase
# (PostgreSQL on a small tmpfs, filled mid-load). loadtest/report.py prints the table
# and writes bench-results/loadtest-<time>.md; raw data in bench-results/loadtest-<time>/.
# Exit status: 0 when every check passed, 1 otherwise.
#
# MODE=capacity: how many active trainees one server holds. Trainees who read
# (5-15 s of think time between pages; loadtest/capacity.py, asyncio) are added
# in steps, START (50) then STEP (50) more every STEP_SECONDS (40 s), until the
# p95 of page views (course and lesson pages) passes P95_MS (500 ms) or more than
# 1 % of requests fail, or MAX_TRAINEES (1000) or MAX_SECONDS (840 s) is reached;
# then the exactly-once check. No faults, ratio or reminders in this mode. It
# prints "capacity: one server held N active trainees (...)" and writes
# bench-results/loadtest-capacity-<time>.md; exit status 1 when the database
# check fails, a client hangs or the capacity is below GOAL (500; GOAL=0: none).
# SEED (1) seeds the think times and choices; a step over the limit is measured
# once more before the ramp stops (CONFIRM=0: not).
#
# Bounded: USERS <= 200, DURATION <= 180 s, the whole run killed after 20 minutes;
# capacity: MAX_TRAINEES <= 1000, MAX_SECONDS <= 900, killed after MAX_SECONDS + 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

# NAME MIN MAX: the variable NAME must be a whole number from MIN to MAX.
bounded() {
    if ! [[ "${!1}" =~ ^[0-9]+$ ]] || [ "${!1}" -lt "$2" ] || [ "${!1}" -gt "$3" ]; then
        echo "loadtest: $1 must be $2 to $3" >&2
        exit 2
    fi
}

MODE="${MODE:-default}"
case "$MODE" in
default)
    USERS="${USERS:-50}"
    DURATION="${DURATION:-60}"
    bounded USERS 1 200
    bounded DURATION 10 180
    export USERS DURATION
    name=loadtest
    limit=1200
    ;;
capacity)
    START="${START:-50}" STEP="${STEP:-50}" STEP_SECONDS="${STEP_SECONDS:-40}"
    MAX_TRAINEES="${MAX_TRAINEES:-1000}" MAX_SECONDS="${MAX_SECONDS:-840}"
    P95_MS="${P95_MS:-500}" GOAL="${GOAL:-500}" SEED="${SEED:-1}"
    bounded MAX_TRAINEES 1 1000
    bounded START 1 "$MAX_TRAINEES"
    bounded STEP 1 1000
    bounded STEP_SECONDS 10 300
    bounded MAX_SECONDS 30 900
    bounded P95_MS 1 60000
    bounded GOAL 0 1000
    bounded SEED 0 1000000
    CONFIRM="${CONFIRM:-1}"
    bounded CONFIRM 0 1
    # Every trainee of the last step needs an account.
    USERS="$MAX_TRAINEES"
    export MODE USERS START STEP STEP_SECONDS MAX_TRAINEES MAX_SECONDS P95_MS SEED CONFIRM
    name=loadtest-capacity
    limit=$((MAX_SECONDS + 600))
    DISKFULL=0
    ;;
*)
    echo "loadtest: MODE must be default or capacity" >&2
    exit 2
    ;;
esac

stamp="$(date +%Y%m%d-%H%M%S)"
out="bench-results/$name-$stamp"
mkdir -p "$out"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# Disk full needs a file system that can fill up safely: as root, a tmpfs
# (DISKFULL_MB, 1 GB by default) holds the throwaway PostgreSQL; DISKFULL=0 or
# no root: that fault is skipped.
fs=""
if [ "${DISKFULL:-1}" = 1 ] && [ "$(id -u)" = 0 ]; then
    fs="$(mktemp -d /tmp/spokes-loadtest-fs.XXXXXX)"
    if ! mount -t tmpfs -o "size=${DISKFULL_MB:-1024}m,mode=1777" tmpfs "$fs" 2>/dev/null; then
        echo "loadtest: cannot mount a tmpfs here: the disk-full fault is skipped" >&2
        rmdir "$fs"
        fs=""
    fi
fi
unmount() {
    if [ -n "$fs" ]; then
        umount "$fs" 2>/dev/null || umount -l "$fs" 2>/dev/null || true
        rmdir "$fs" 2>/dev/null || true
    fi
}
trap unmount EXIT

set +e
LOADTEST_OUT="$out" LOADTEST_PORT="$port" LOADTEST_FS="$fs" TMPDIR="${fs:-${TMPDIR:-/tmp}}" \
    timeout --kill-after=30 "$limit" \
    scripts/with-postgres.sh loadtest/inner.sh 2>&1 | tee "$out/run.log"
status=${PIPESTATUS[0]}
set -e
python3 loadtest/report.py "$out" "bench-results/$name-$stamp.md" --inner-status "$status" \
    --mode "$MODE" --goal "${GOAL:-0}"
