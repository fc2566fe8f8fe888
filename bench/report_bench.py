"""Completion report at scale: page server time, bare SQL time, XLSX export.

    .venv/bin/python bench/report_bench.py [--learners 100000] [--requests 15]

Builds the data set with `manage.py seed_load` (1,000 agencies, 20 courses) in a
temporary SQLite database, and also in a temporary database on the PostgreSQL
server that DATABASE_URL points at (postgres://...), when it is set. Then, for
each database:

- the agency report page (/admin/reports/completion/) for an administrator,
  through Django's test Client: median and 95th percentile server time, next to
  the time of the grouped query it needs run bare, as a ratio;
- the learner drill-down pages for the whole province and for one district;
- an XLSX export of 100,000 learner rows, written by the code the admin's
  download and `export_completion` use, in a subprocess: time and peak memory
  (the process's maximum resident set size, Django included);
- its floor, in another subprocess: openpyxl in write-only mode writing the
  same rows and columns from one values_list query, values as they come.

Targets, as ratios measured in the same run (the machine is shared, so absolute
times drift): page median <= 1.3 x the bare SQL, export <= 1.5 x its floor;
besides, page median <= 1 s and export memory <= 500 MB. Prints a table; exits 1
when a target is missed.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPORT = "/admin/reports/completion/"
PAGE_TARGET_S = 1.0
PAGE_TO_SQL_TARGET = 1.3
EXPORT_TO_FLOOR_TARGET = 1.5
EXPORT_TARGET_MB = 500


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)  # the request log would drown the figures


def timed(function, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return times


# Worker: build the data and time the pages --------------------------------------


def measure_pages(args) -> dict:
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import Agency, User
    from courses.models import Enrolment, LessonProgress
    from courses.permissions import enrolments_visible_to
    from reports.queries import CompletionFilters, counts_by_agency, filter_enrolments

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    call_command(
        "seed_load",
        learners=args.learners,
        agencies=args.agencies,
        courses=args.courses,
        stdout=StringIO(),
    )
    seed_s = time.perf_counter() - began
    admin = User.objects.create_superuser(
        email=f"bench-{uuid.uuid4().hex[:8]}@example.org", password=None
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)

    def get(url):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")

    def sql():
        enrolments = filter_enrolments(
            enrolments_visible_to(admin), CompletionFilters()
        )
        counts_by_agency(enrolments)

    province = Agency.objects.get(code="LOAD").pk
    district = Agency.objects.get(code="LOAD-H001").pk
    drill_down = f"{REPORT}agencies/{province}/"
    district_drill_down = f"{REPORT}agencies/{district}/"
    for url in (REPORT, drill_down, district_drill_down):
        get(url)  # warm caches
    sql()
    rounds = {"page": [], "sql": [], "drill": [], "district": []}
    for _ in range(args.requests):  # interleaved, so noise hits all alike
        rounds["page"] += timed(lambda: get(REPORT), 1)
        rounds["sql"] += timed(sql, 1)
        rounds["drill"] += timed(lambda: get(drill_down), 1)
        rounds["district"] += timed(lambda: get(district_drill_down), 1)
    return {
        "seed_s": seed_s,
        "learners": User.objects.filter(email__startswith="load-").count(),
        "enrolments": Enrolment.objects.count(),
        "progress": LessonProgress.objects.count(),
        "page_p50": statistics.median(rounds["page"]),
        "page_p95": percentile(rounds["page"], 0.95),
        "sql_p50": statistics.median(rounds["sql"]),
        "drill_p50": statistics.median(rounds["drill"]),
        "drill_p95": percentile(rounds["drill"], 0.95),
        "district_p50": statistics.median(rounds["district"]),
        "district_p95": percentile(rounds["district"], 0.95),
    }


# Worker: one XLSX export in a fresh process ---------------------------------------


def measure_export(args) -> dict:
    setup_django(args.database_url)
    from accounts.models import User
    from reports.queries import CompletionFilters, CompletionReport
    from reports.spreadsheets import LearnerSpreadsheet, write_spreadsheet

    admin = User(is_superuser=True, is_active=True)
    report = CompletionReport(user=admin, filters=CompletionFilters())
    rows = report.learner_rows()[: args.rows]
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learners.xlsx"
        began = time.perf_counter()
        with open(path, "wb") as output:
            written = write_spreadsheet(LearnerSpreadsheet(), rows, output, "xlsx")
        seconds = time.perf_counter() - began
        size_mb = path.stat().st_size / 1024 / 1024
    return {
        "export_rows": written,
        "export_s": seconds,
        "export_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "export_before_mb": before_mb,
        "export_file_mb": size_mb,
        "load": os.getloadavg()[0],
    }


# Worker: the export's floor, in a fresh process too ------------------------------

# The value behind each column of the export: the certificate's link is made from
# its code, the other columns are fields of the rows.
FLOOR_SOURCES = {
    "certificate": "certificate_code",
    "certificate_url": "certificate_code",
}


def measure_floor(args) -> dict:
    """openpyxl write-only writing the export's rows and columns from one
    values_list query, with nothing done to a value: what any XLSX export of
    these rows costs."""
    setup_django(args.database_url)
    from django.test.utils import override_settings
    from openpyxl import Workbook

    from accounts.models import User
    from reports.queries import CompletionFilters, CompletionReport
    from reports.spreadsheets import LearnerSpreadsheet

    # Naive datetimes, which openpyxl takes as they are (it refuses aware ones);
    # the export converts each to local time itself.
    with override_settings(USE_TZ=False):
        admin = User(is_superuser=True, is_active=True)
        report = CompletionReport(user=admin, filters=CompletionFilters())
        columns = LearnerSpreadsheet.list_export
        fields = [FLOOR_SOURCES.get(name, name) for name in columns]
        rows = report.learner_rows()[: args.rows].values_list(*fields)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "floor.xlsx"
            began = time.perf_counter()
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Learners")
            sheet.append(columns)
            written = 0
            for row in rows.iterator(chunk_size=LearnerSpreadsheet.CHUNK_SIZE):
                sheet.append(row)
                written += 1
            workbook.save(path)
            seconds = time.perf_counter() - began
    return {"floor_rows": written, "floor_s": seconds}


# The orchestra ------------------------------------------------------------------


def run_worker(kind, database_url, args) -> dict:
    command = [
        sys.executable,
        __file__,
        f"--worker={kind}",
        f"--database-url={database_url}",
        f"--learners={args.learners}",
        f"--agencies={args.agencies}",
        f"--courses={args.courses}",
        f"--requests={args.requests}",
        f"--rows={args.rows}",
    ]
    result = subprocess.run(  # noqa: S603 (our own script)
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"The {kind} worker failed.")
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_database(url: str):
    """A new, empty database on the server DATABASE_URL names, and how to drop it."""
    import psycopg

    name = f"report_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def say(line: str, stream=None) -> None:
    (stream or sys.stdout).write(line + "\n")
    (stream or sys.stdout).flush()


def bench(label, database_url, args) -> dict:
    say(f"{label}: seeding {args.learners:,} learners…", sys.stderr)
    figures = run_worker("pages", database_url, args)
    say(f"{label}: exporting {args.rows:,} learner rows…", sys.stderr)
    figures.update(run_worker("export", database_url, args))
    say(f"{label}: writing the same rows bare (the floor)…", sys.stderr)
    figures.update(run_worker("floor", database_url, args))
    return figures


def print_table(results: dict) -> bool:
    lines = [
        (
            "learners / enrolments / progress rows",
            lambda r: f"{r['learners']:,} / {r['enrolments']:,} / {r['progress']:,}",
        ),
        ("seed_load", lambda r: f"{r['seed_s']:.1f} s"),
        (
            "report page p50 / p95",
            lambda r: f"{r['page_p50'] * 1000:.0f} / {r['page_p95'] * 1000:.0f} ms",
        ),
        ("bare aggregate SQL p50", lambda r: f"{r['sql_p50'] * 1000:.0f} ms"),
        ("page / SQL", lambda r: f"{r['page_p50'] / r['sql_p50']:.2f}×"),
        (
            "learners of the province p50 / p95",
            lambda r: f"{r['drill_p50'] * 1000:.0f} / {r['drill_p95'] * 1000:.0f} ms",
        ),
        (
            "learners of a district p50 / p95",
            lambda r: (
                f"{r['district_p50'] * 1000:.0f} / {r['district_p95'] * 1000:.0f} ms"
            ),
        ),
        ("XLSX export rows", lambda r: f"{r['export_rows']:,}"),
        ("XLSX export time", lambda r: f"{r['export_s']:.1f} s"),
        (
            "floor: openpyxl from one values_list",
            lambda r: f"{r['floor_s']:.1f} s ({r['floor_rows']:,} rows)",
        ),
        ("export / floor", lambda r: f"{r['export_s'] / r['floor_s']:.2f}×"),
        (
            "XLSX export peak RSS",
            lambda r: (
                f"{r['export_peak_mb']:.0f} MB (before: {r['export_before_mb']:.0f})"
            ),
        ),
        ("XLSX file size", lambda r: f"{r['export_file_mb']:.1f} MB"),
        ("load average at the end (2 cores)", lambda r: f"{r['load']:.1f}"),
    ]
    labels = list(results)
    width = max(len(name) for name, _ in lines)
    columns = [max(24, *(len(fmt(results[k])) for _, fmt in lines)) for k in labels]
    say(
        f"{'':{width}}  "
        + "  ".join(f"{k:>{w}}" for k, w in zip(labels, columns, strict=True))
    )
    for name, fmt in lines:
        cells = "  ".join(
            f"{fmt(results[k]):>{w}}" for k, w in zip(labels, columns, strict=True)
        )
        say(f"{name:{width}}  {cells}")
    ok = True
    for label, r in results.items():
        misses = []
        if r["page_p50"] > PAGE_TARGET_S:
            misses.append(f"report page p50 > {PAGE_TARGET_S} s")
        if r["page_p50"] > PAGE_TO_SQL_TARGET * r["sql_p50"]:
            misses.append(f"report page > {PAGE_TO_SQL_TARGET}× the bare SQL")
        if r["export_s"] > EXPORT_TO_FLOOR_TARGET * r["floor_s"]:
            misses.append(f"export > {EXPORT_TO_FLOOR_TARGET}× its floor")
        if r["export_peak_mb"] > EXPORT_TARGET_MB:
            misses.append(f"export memory > {EXPORT_TARGET_MB} MB")
        say(f"{label}: " + ("all targets met" if not misses else "; ".join(misses)))
        ok = ok and not misses
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--rows", type=int, default=100_000, help="rows to export")
    parser.add_argument(
        "--worker", choices=["pages", "export", "floor"], help=argparse.SUPPRESS
    )
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        measure = {
            "pages": measure_pages,
            "export": measure_export,
            "floor": measure_floor,
        }[args.worker]
        say(json.dumps(measure(args)))
        return

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = bench("SQLite", f"sqlite:///{folder}/bench.sqlite3", args)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        database_url, drop = postgres_database(url)
        try:
            results["PostgreSQL"] = bench("PostgreSQL", database_url, args)
        finally:
            drop()
    sys.exit(0 if print_table(results) else 1)


if __name__ == "__main__":
    main()
