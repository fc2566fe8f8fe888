#!/usr/bin/env bash
# A bounded load test of the production set-up, on the loopback address only:
# scripts/serve-prod.sh (gunicorn + worker, production settings, a throwaway
# PostgreSQL) on a free port of 127.0.0.1, then wrk against a fixed list of pages.
#
#   loadtest/wrk-pages.sh               DURATION=20s CONNECTIONS=8 loadtest/wrk-pages.sh
#   SERVE_PROD_SETUP="seed_load" loadtest/wrk-pages.sh   (data made before the server starts)
# (anonymous GET pages only; `make loadtest` runs loadtest/run.sh, the trainee journeys)
#
# Results (wrk output, the server log, a summary) go to bench-results/<time>/.
# Each wrk run stops by itself after DURATION (capped at 120 s) and is killed
# if it overruns; the server is stopped afterwards whatever happens.
# The target is always http://127.0.0.1:<port>: there is no option to aim it
# anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-8}"
THREADS="${THREADS:-2}"
# Pages under load (paths on the site, space separated); the course and quiz
# pages join when they exist, e.g. LOADTEST_PATHS="/ /accounts/login/ /courses/".
read -r -a PATHS <<<"${LOADTEST_PATHS:-/ /accounts/login/}"
for path in "${PATHS[@]}"; do
    if [[ "$path" != /* ]]; then
        echo "loadtest: paths start with / (the host is always 127.0.0.1): $path" >&2
        exit 2
    fi
done

seconds="${DURATION%s}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -gt 120 ] || [ "$seconds" -lt 1 ]; then
    echo "loadtest: DURATION must be 1s to 120s" >&2
    exit 2
fi
if ! [[ "$CONNECTIONS" =~ ^[0-9]+$ ]] || [ "$CONNECTIONS" -gt 64 ]; then
    echo "loadtest: CONNECTIONS must be at most 64" >&2
    exit 2
fi

if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "loadtest: wrk is missing (apt-get install wrk, as root)" >&2
        exit 1
    fi
fi

out="bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

started=$(date +%s.%N)
PORT="$port" setsid scripts/serve-prod.sh >"$out/server.log" 2>&1 &
server=$!
stop_server() {
    kill -TERM -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
trap stop_server EXIT

for _ in $(seq 1 720); do
    kill -0 "$server" 2>/dev/null || { tail -20 "$out/server.log" >&2; exit 1; }
    curl -fs -o /dev/null "$base/" && break
    sleep 0.25
done
first_page=$(python3 -c "import time; print(round(time.time() - $started, 1))")
curl -fs "$base/healthz" >/dev/null

{
    echo "loadtest $(date -Iseconds)"
    echo "server: scripts/serve-prod.sh (gunicorn, ${WEB_CONCURRENCY:-2} workers, production settings, PostgreSQL)"
    echo "machine: $(nproc) cores; load generator on the same machine"
    echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per page"
    echo "first page served ${first_page}s after start (collectstatic + migrate + boot)"
    echo
    printf "%-20s %10s %10s %10s %10s %8s\n" path "req/s" "p50" "p90" "p99" "errors"
} | tee "$out/summary.txt"

for path in "${PATHS[@]}"; do
    name="$(echo "$path" | tr -c 'a-zA-Z0-9\n' '_')"
    curl -fs -o /dev/null "$base$path"  # warm
    timeout $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
        --timeout 10s --latency "$base$path" >"$out/wrk$name.txt"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$out/wrk$name.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$out/wrk$name.txt")
    p90=$(awk '$1 == "90%" {print $2}' "$out/wrk$name.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$out/wrk$name.txt")
    errors=$(awk '/Non-2xx or 3xx responses/ {e += $NF} /Socket errors/ {e += $4 + $6 + $8 + $10} END {print e + 0}' "$out/wrk$name.txt")
    printf "%-20s %10s %10s %10s %10s %8s\n" "$path" "$rps" "$p50" "$p90" "$p99" "$errors" | tee -a "$out/summary.txt"
done

echo | tee -a "$out/summary.txt"
echo "results in $out/" | tee -a "$out/summary.txt"
