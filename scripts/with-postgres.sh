#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh .venv/bin/pytest -q
#
# The server lives in a temporary directory on a free loopback port, with
# fsync off, and is stopped and deleted when the command ends, fails or is
# interrupted. The command sees DATABASE_URL=postgres://postgres@127.0.0.1:PORT/app
# (the "app" database exists and is empty; pytest-django makes its own test_app)
# plus PGHOST, PGPORT and PGUSER for psql, pg_dump and pg_restore.
#
# No PostgreSQL binaries and no way to install them (not root, or no apt-get):
# the script fails with exit code 3, unless PG_OPTIONAL=1, in which case it prints
# a loud warning and exits 0 without running the command. Under CI=true a missing
# database is always a failure.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

find_pgbin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

PGBIN="${PGBIN:-$(find_pgbin)}"
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "with-postgres: installing PostgreSQL from Debian's packages" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        PGBIN="$(find_pgbin)"
    fi
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    cat >&2 <<'EOF'

######################################################################
##  WARNING: PostgreSQL is not installed and cannot be installed     ##
##  here (needs root and apt-get). The PostgreSQL leg did NOT run.   ##
######################################################################

EOF
    if [ "${CI:-}" = "true" ] || [ "${PG_OPTIONAL:-0}" != 1 ]; then
        exit 3
    fi
    exit 0
fi

# Root cannot run the server: it runs as the postgres user, which must own the
# data directory. Anyone else runs it as themself.
if [ "$(id -u)" = 0 ]; then
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi

PGTMP="$(mktemp -d "${TMPDIR:-/tmp}/spokes-pg.XXXXXX")"
[ "$(id -u)" = 0 ] && chown postgres: "$PGTMP"
PGDATA_DIR="$PGTMP/data"
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
        "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PGTMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 \
    --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 || { cat "$PGTMP/initdb.log" >&2; exit 1; }
# A port that was free a moment ago can be taken by the time the server binds
# it (make test starts two servers at once): try another one.
for attempt in 1 2 3; do
    pg_port="${PG_PORT:-$(free_port)}"
    if "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGTMP/server.log" -w -o \
        "-p $pg_port -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        break
    fi
    if [ "$attempt" = 3 ] || [ -n "${PG_PORT:-}" ]; then
        cat "$PGTMP/server.log" >&2
        exit 1
    fi
done
"$PGBIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres app

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/app"
export PGHOST=127.0.0.1 PGPORT="$pg_port" PGUSER=postgres PGBIN
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk "{print \$3}") on 127.0.0.1:$pg_port ($PGTMP)" >&2

# Not exec: the trap must run after the command.
set +e
"$@"
status=$?
set -e
exit "$status"
