#!/usr/bin/env bash
# Install the Debian packages that the tests and tools need, once:
#   chromium (browser journeys), postgresql (the PostgreSQL test leg),
#   gettext (compilemessages), npm (axe-core for the accessibility checks),
#   poppler-utils and zbar-tools (reading certificate PDFs and QR codes back).
#
#   scripts/system-deps.sh [--stamp FILE] [EXTRA_COMMAND=package ...]
#
# Runs `apt-get update` once, and only when something is missing. Without root
# or apt-get it prints a loud warning and carries on (the test legs then skip
# what they cannot run), except under CI=true, where anything missing fails.
# With --stamp FILE it touches FILE when everything is present, so make skips it.
set -euo pipefail

stamp=""
if [ "${1:-}" = "--stamp" ]; then
    stamp="$2"
    shift 2
fi

have_chromium() { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null; }
have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

missing() {
    local packages=()
    have_chromium || packages+=(chromium)
    have_postgres || packages+=(postgresql)
    command -v msgfmt >/dev/null || packages+=(gettext)
    command -v npm >/dev/null || packages+=(npm)
    command -v pdftotext >/dev/null || packages+=(poppler-utils)
    command -v zbarimg >/dev/null || packages+=(zbar-tools)
    local extra
    for extra in "$@"; do
        command -v "${extra%%=*}" >/dev/null || packages+=("${extra#*=}")
    done
    echo "${packages[@]}"
}

packages="$(missing "$@")"
if [ -n "$packages" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "system-deps: installing $packages (apt-get)"
    apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        $packages >/dev/null
    packages="$(missing "$@")"
fi

if [ -n "$packages" ]; then
    cat >&2 <<WARNING

######################################################################
##  WARNING: missing system packages: $packages
##  Install them as root:  apt-get install -y $packages
##  Without them the browser journeys and/or the PostgreSQL test leg
##  do NOT run.
######################################################################

WARNING
    if [ "${CI:-}" = "true" ]; then
        echo "system-deps: CI=true, so a missing browser or database is a failure" >&2
        exit 1
    fi
    exit 0
fi

if [ -n "$stamp" ]; then
    mkdir -p "$(dirname "$stamp")"
    touch "$stamp"
fi
