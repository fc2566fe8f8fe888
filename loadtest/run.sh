#!/usr/bin/env bash
# `make loadtest`: trainees under load, with faults, on the loopback address only.
#
#   make loadtest                         USERS=50 DURATION=60 make loadtest
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
# Bounded: USERS <= 200, DURATION <= 180 s, the whole run killed after 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-50}"
DURATION="${DURATION:-60}"
if ! [[ "$USERS" =~ ^[0-9]+$ ]] || [ "$USERS" -lt 1 ] || [ "$USERS" -gt 200 ]; then
    echo "loadtest: USERS must be 1 to 200" >&2
    exit 2
fi
if ! [[ "$DURATION" =~ ^[0-9]+$ ]] || [ "$DURATION" -lt 10 ] || [ "$DURATION" -gt 180 ]; then
    echo "loadtest: DURATION must be 10 to 180 (seconds)" >&2
    exit 2
fi
export USERS DURATION

stamp="$(date +%Y%m%d-%H%M%S)"
out="bench-results/loadtest-$stamp"
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
    timeout --kill-after=30 1200 \
    scripts/with-postgres.sh loadtest/inner.sh 2>&1 | tee "$out/run.log"
status=${PIPESTATUS[0]}
set -e
python3 loadtest/report.py "$out" "bench-results/loadtest-$stamp.md" --inner-status "$status"
