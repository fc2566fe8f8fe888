#!/usr/bin/env python3
# ruff: noqa: E501, T201  (a report: long table rows, printed)
"""Read a loadtest results folder, print the table, write the Markdown report.

    python3 loadtest/report.py bench-results/loadtest-<time> bench-results/loadtest-<time>.md

Checks (exit status 1 if any fails): every trainee request answered without 5xx
outside the fault windows (a window is a fault's start to its end plus GRACE
seconds; a request counts as inside when it overlaps the window), no client
thread hung, the exactly-once check in the database, the course/plain ratio at
least 0.85, reminders failed while the mail server was down and were all sent
on the retry.
"""

import argparse
import csv
import json
import os
import re
from collections import defaultdict

GRACE = {"kill_worker": 5.0, "db_restart": 5.0, "disk_full": 5.0}
ORDER = [
    "login_page",
    "login_post",
    "course_page",
    "lesson_page",
    "lesson_complete",
    "quiz_start",
    "attempt_page",
    "attempt_save",
    "attempt_submit",
    "attempt_result",
]


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def read_rows(out):
    rows = []
    if os.path.exists(f"{out}/requests.csv"):
        with open(f"{out}/requests.csv") as f:
            for r in csv.DictReader(f):
                r["status"] = int(r["status"])
                for k in ("start", "end", "ms"):
                    r[k] = float(r[k])
                rows.append(r)
    return rows


def endpoint_table(rows, say):
    say(
        "| endpoint | requests | ok (2xx/3xx) | 4xx | 5xx | conn. errors | p50 ms | p95 ms | max ms |"
    )
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    by = defaultdict(list)
    for r in rows:
        by[r["endpoint"]].append(r)
    for name in ORDER + sorted(set(by) - set(ORDER)):
        rs = by.get(name)
        if not rs:
            continue
        ok = [r for r in rs if 200 <= r["status"] < 400]
        lat = [r["ms"] for r in ok]
        say(
            f"| {name} | {len(rs)} | {len(ok)} | {sum(400 <= r['status'] < 500 for r in rs)} | "
            f"{sum(r['status'] >= 500 for r in rs)} | {sum(r['status'] == 0 for r in rs)} | "
            f"{pct(lat, 50):.0f} | {pct(lat, 95):.0f} | {max(lat, default=float('nan')):.0f} |"
        )
    ok_all = [r for r in rows if 200 <= r["status"] < 400]
    all_lat = [r["ms"] for r in ok_all]
    say(
        f"| **all** | {len(rows)} | {len(ok_all)} | {sum(400 <= r['status'] < 500 for r in rows)} | "
        f"{sum(r['status'] >= 500 for r in rows)} | {sum(r['status'] == 0 for r in rows)} | "
        f"{pct(all_lat, 50):.0f} | {pct(all_lat, 95):.0f} | {max(all_lat, default=float('nan')):.0f} |"
    )
    return ok_all


def db_check(out, say, fail, level):
    say(f"{level} Database check (exactly once, nothing half-written)")
    say()
    v = load(f"{out}/verify.json")
    if v is None:
        say("verify.py did not run.")
        fail("verify did not run")
    else:
        say("| check | value |")
        say("| --- | ---: |")
        for k, val in v.items():
            if k != "problems":
                say(f"| {k} | {val} |")
        say()
        say("Result: **" + ("OK" if v["ok"] else "PROBLEMS") + "**")
        for p in v["problems"][:30]:
            say(f"- {p}")
        if not v["ok"]:
            fail("database check")


def ms(x):
    return "-" if x is None else f"{x:.0f}"


def capacity_report(out, say, failures, goal):
    """MODE=capacity: the steps, the capacity, the exactly-once check."""

    def fail(message):
        failures.append(message)

    cap = load(f"{out}/capacity.json")
    summary = load(f"{out}/summary.json", {})
    say(f"# Load test {os.path.basename(out)}: capacity")
    say()
    if not cap:
        say("loadtest/capacity.py did not finish: no capacity.json.")
        fail("the capacity run did not finish")
        db_check(out, say, fail, "##")
        return
    st = cap["settings"]
    say(
        f"Simulated trainees against scripts/serve-prod.sh (gunicorn, production settings, "
        f"throwaway PostgreSQL 15) on 127.0.0.1, the load generator (loadtest/capacity.py, "
        f"asyncio) on the same {st.get('cores', '?')} cores. Each trainee signs in once, "
        f"then reads: course page, lesson pages, mark as done, the lesson quiz in "
        f"{st['quiz_share'] * 100:.0f} % of quiz lessons, with {st['think_min']:g}-"
        f"{st['think_max']:g} s of think time before each next page (seed {st['seed']}). "
        f"{st['start']} trainees, then {st['step']} more every {st['step_seconds']:g} s, "
        f"added over the first {st['ramp'] * 100:.0f} % of the step and measured over the "
        f"rest, until the p95 of page views (GETs of course and lesson pages) passes "
        f"{st['p95_ms']:g} ms or more than {st['max_error_rate'] * 100:g} % of requests fail "
        f"(5xx, connection errors, timeouts), or {st['max_trainees']} trainees or "
        f"{st['max_seconds']:g} s. Raw data: `{out}/`."
    )
    before = cap.get("cpu_before")
    if before:
        say()
        say(
            f"Before the load the machine was {before['machine_busy']} % of a core busy "
            f"(others {before['others']} %"
            + (f": {', '.join(before['others_top'])}" if before["others_top"] else "")
            + ")"
            + (
                ": **other work competed for the cores during this run**, so the "
                "capacity is lower than on a machine of its own."
                if before["others"] >= 30
                else "."
            )
        )
    say()
    say("## Steps")
    say()
    say(
        "| step | trainees | signed in | req/s | page views | p50 ms | p95 ms | p99 ms | "
        "errors | 4xx | CPU server % | CPU PostgreSQL % | CPU load generator % | "
        "CPU others % | CPU ms per trainee-second | |"
    )
    say(
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    for s in cap["steps"]:
        c = s["cpu"]
        say(
            f"| {s['step']} | {s['trainees']} | {s['signed_in']} | {s['rps']} | "
            f"{s['page_views']} | {ms(s['p50_ms'])} | {ms(s['p95_ms'])} | {ms(s['p99_ms'])} | "
            f"{s['errors']} ({s['error_rate'] * 100:.1f} %) | {s['status_4xx']} | "
            f"{c['server']} | {c['postgres']} | {c['loadgen']} | {c['others']} | "
            f"{s.get('cpu_ms_per_trainee_s', '-')} | "
            f"{'again, ' if s.get('repeat') else ''}"
            f"{'ok' if s['passed'] else '**' + '; '.join(s.get('reasons', ['over'])) + '**'} |"
        )
    busy = [
        f"step {s['step']}: {', '.join(s['cpu'].get('others_top', []))}"
        for s in cap["steps"]
        if s["cpu"]["others"] >= 10
    ]
    say()
    say(
        "CPU in per cent of one core over each step's measured part: the server is "
        "serve-prod.sh's process tree (gunicorn master and workers, the tasks worker), "
        "PostgreSQL the throwaway server's processes, others the rest of the machine "
        "(other people's work on a shared machine makes every figure noisier)."
        + (
            " The busiest other processes (per cent of a core) where others passed "
            "10 %: " + "; ".join(busy) + "."
            if busy
            else ""
        )
    )
    say()
    if st.get("confirm"):
        say(
            "A step over the limit is measured once more with the same trainees "
            "('again') before the ramp stops: one step can meet a burst of other work."
        )
        say()
    costs = [
        s["cpu_ms_per_trainee_s"]
        for s in cap["steps"]
        if s.get("cpu_ms_per_trainee_s")
        and s["signed_in"] >= s["trainees"]
        and not s.get("logins_measured", 1)
    ]
    if costs:
        cost = sorted(costs)[len(costs) // 2]
        cores = st.get("cores") or 1
        say(
            f"CPU per active trainee (server, PostgreSQL and load generator, median "
            f"over the steps with no sign-in in their measured part): {cost} ms of CPU per "
            f"second; at that cost {cores} cores fully busy would carry about "
            f"**{int(cores * 1000 / cost)} trainees**: an upper bound that other work "
            f"on the machine does not change much (the p95 limit comes before it)."
        )
        say()
    c = cap["capacity"]
    say(f"**{c['line']}**")
    say()
    say(f"Stopped because: {c['stopped_because']}; {cap['elapsed']:.0f} s of load.")
    if goal:
        say(f"Goal: {goal} active trainees.")
        if c["held"] < goal:
            fail(f"capacity {c['held']} below the goal of {goal} active trainees")
    say()
    say("## Requests over the whole run")
    say()
    rows = read_rows(out)
    endpoint_table(rows, say)
    say()
    acks = load(f"{out}/acks.json", {})
    say(
        f"Acknowledged: {len(acks.get('completions', []))} lesson completions, "
        f"{len(acks.get('attempts', []))} quiz attempts submitted; refused by the course "
        f"rules (not errors): {acks.get('refused')}. Signed in: {summary.get('signed_in')}; "
        f"failed sign-in tries: {summary.get('login_failures')}; trainees still running at "
        f"the end: {summary.get('hung_threads')}."
    )
    if summary.get("hung_threads"):
        fail("trainees hung")
    if summary.get("client_exceptions"):
        fail(
            "load generator exceptions: " + "; ".join(summary["client_exceptions"][:3])
        )
    if not rows:
        fail("no requests recorded")
    say()
    db_check(out, say, fail, "##")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("md")
    ap.add_argument("--inner-status", type=int, default=0)
    ap.add_argument("--mode", choices=["default", "capacity"], default="default")
    ap.add_argument("--goal", type=int, default=0, help="capacity mode: trainees")
    args = ap.parse_args()
    out = args.out
    lines, failures = [], []

    def say(text=""):
        lines.append(text)

    def journeys(out, title, level):
        def fail(message):
            failures.append(f"{title}: {message}")

        say(f"{level} {title}")
        say()
        summary = load(f"{out}/summary.json", {})
        faults = load(f"{out}/faults.json", [])
        rows = read_rows(out)
        # A fault "X" with a later "X_end" (disk filled, then freed) lasts until then.
        ends = {f["name"][:-4]: f["end"] for f in faults if f["name"].endswith("_end")}
        windows = [
            (
                f["name"],
                f["start"],
                ends.get(f["name"], f["end"]) + GRACE.get(f["name"], 5.0),
            )
            for f in faults
            if not f["name"].endswith("_end")
        ]

        def window_of(r):
            for name, a, b in windows:
                if r["start"] <= b and r["end"] >= a:
                    return name
            return None

        say(f"{level}# Requests")
        say()
        ok_all = endpoint_table(rows, say)
        elapsed = summary.get("elapsed") or 1
        say()
        say(
            f"Throughput: {len(ok_all) / elapsed:.1f} successful requests/s "
            f"({len(rows) / elapsed:.1f} requests/s) over {elapsed:.1f} s."
        )
        acks = load(f"{out}/acks.json", {})
        if acks:
            say(
                f"Acknowledged: {len(acks.get('completions', []))} lesson completions (POSTs answered "
                f"with the next page), {len(acks.get('attempts', []))} quiz attempts submitted; "
                f"refused by the course rules (not errors): {acks.get('refused')}."
            )
        bad5 = [r for r in rows if r["status"] >= 500 and window_of(r) is None]
        conn_out = [r for r in rows if r["status"] == 0 and window_of(r) is None]
        in5 = defaultdict(int)
        inconn = defaultdict(int)
        for r in rows:
            w = window_of(r)
            if w and r["status"] >= 500:
                in5[w] += 1
            if w and r["status"] == 0:
                inconn[w] += 1
        say(
            f"5xx outside the fault windows: **{len(bad5)}**; connection errors outside them: "
            f"**{len(conn_out)}**; client threads still hanging at the end: "
            f"{summary.get('hung_threads', '?')}."
        )
        if bad5:
            fail(f"{len(bad5)} 5xx outside fault windows")
            for r in bad5[:10]:
                say(
                    f"- 5xx outside a window: {r['endpoint']} {r['status']} at {r['start']:.1f}s"
                )
        if conn_out:
            fail(f"{len(conn_out)} connection errors outside fault windows")
        if summary.get("hung_threads"):
            fail("client threads hung")
        if not rows:
            fail("no requests recorded")

        say()
        say(f"{level}# Faults during the load")
        say()
        say(
            "| fault | at (s) | took (s) | exit | 5xx in window | conn. errors in window | "
            "max latency in window (ms) | first success after (s) |"
        )
        say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for f in faults:
            name = f["name"]
            inside = [r for r in rows if window_of(r) == name]
            after = [
                r["end"] - f["end"]
                for r in rows
                if r["start"] >= f["end"] and 200 <= r["status"] < 400
            ]
            codes = sorted({r["status"] for r in inside if r["status"] >= 500})
            by_code = ", ".join(
                f"{code}: {sum(1 for r in inside if r['status'] == code)}"
                for code in codes
            )
            say(
                f"| {name} | {f['start']:.1f} | {f['end'] - f['start']:.1f} | {f['rc']} | "
                f"{in5[name]}{f' ({by_code})' if by_code else ''} | "
                f"{inconn[name]} | {max((r['ms'] for r in inside), default=0):.0f} | "
                f"{min(after, default=float('nan')):.2f} |"
            )
            if f["rc"] != 0:
                fail(f"fault {name} command failed: {f['output'][-200:]}")
        for f in faults:
            say(f"- {f['name']}: `{f['output'][-300:].strip()}`")
        last = max((r["end"] for r in rows), default=0)
        tail_ok = [
            r
            for r in rows
            if r["start"] > max((f["end"] for f in faults), default=0) + 5
        ]
        if faults:
            tail_fail = sum(
                1 for r in tail_ok if r["status"] >= 500 or r["status"] == 0
            )
            say(
                f"- After the last fault window: {len(tail_ok)} requests, {tail_fail} failed "
                f"(load ran until {last:.1f} s)."
            )
            if not tail_ok:
                fail("no requests after the faults")

        say()
        db_check(out, say, fail, f"{level}#")

        return summary

    if args.mode == "capacity":
        capacity_report(out, say, failures, args.goal)
        finish(args, say, lines, failures)
        return
    summary = load(f"{out}/summary.json", {})
    say(f"# Load test {os.path.basename(out)}")
    say()
    say(
        f"{summary.get('users', '?')} trainees for {summary.get('duration', '?')} s against "
        "scripts/serve-prod.sh (gunicorn, production settings, throwaway PostgreSQL 15) on "
        "127.0.0.1; load generator (loadtest/trainees.py, threads + http.client) on the "
        f"same machine ({os.cpu_count()} cores). Raw data: `{out}/`."
    )
    say()
    journeys(
        out, "Trainee journeys with a worker killed and PostgreSQL restarted", "##"
    )
    if os.path.exists(f"{out}/diskfull/requests.csv"):
        journeys(
            f"{out}/diskfull",
            "Disk full: the PostgreSQL file system filled mid-load, then freed",
            "##",
        )
    say()
    say("## Course page vs plain Wagtail page (signed in)")
    say()
    ratio = load(f"{out}/ratio.json")
    if not ratio or "ratio" not in ratio:
        say("ratio.py did not run.")
        failures.append("ratio did not run")
    else:
        say("| page | path | req/s | p50 ms | p95 ms | errors |")
        say("| --- | --- | ---: | ---: | ---: | ---: |")
        for k in ("plain", "course", "home"):
            if k not in ratio:
                continue
            s = ratio[k]
            say(
                f"| {k} | `{ratio[k + '_path']}` | {s['rps']} | {s['p50_ms']} | {s['p95_ms']} | {s['errors']} |"
            )
        say()
        say(
            f"{ratio['connections']} keep-alive connections, {ratio['seconds_each']} s per page in "
            f"turns of {ratio.get('slot_seconds', '?')} s, alternating. Ratio course/plain: "
            f"**{ratio['ratio']}** (target >= 0.85)."
        )
        if "ratio_to_home" in ratio:
            say(
                f"The plain page is the demo's information page (rich text under the "
                f"home page, routed like any page); the home page, which needs no "
                f"routing, for reference: course/home {ratio['ratio_to_home']}."
            )
        q = load(f"{out}/queries.json")
        if q:
            say()
            say(
                "In-process, one request at a time (Django test client, same database): "
                + "; ".join(
                    f"{k} `{v['path']}` {v['queries']} queries, {v['median_ms']} ms"
                    for k, v in q.items()
                )
                + "."
            )
        if ratio["ratio"] < 0.85:
            failures.append(f"course/plain ratio {ratio['ratio']} < 0.85")

    say()
    say("## Reminders with the mail server down")
    say()
    before = load(f"{out}/reminders-before.json")
    down = load(f"{out}/reminders-down.json")
    up = load(f"{out}/reminders-up.json")
    down_rc = load(f"{out}/reminders-down-rc.json", {})
    up_rc = load(f"{out}/reminders-up-rc.json", {})
    if not (before and down and up):
        say("The reminders fault did not run.")
        failures.append("reminders fault did not run")
    else:
        log = open(f"{out}/reminders-down.log", errors="replace").read()
        logged = len(re.findall(r"Reminder \d+ .* failed on attempt", log))
        new_ids = set(down["ids"]) - set(before["ids"])
        say("| run | exit | reminder logs | by status | e-mails written | duplicates |")
        say("| --- | ---: | ---: | --- | ---: | ---: |")
        say(
            f"| before | | {before['total']} | {before['by_status']} | | {before['duplicate_keys']} |"
        )
        say(
            f"| SMTP on closed port {down_rc.get('port')} | {down_rc.get('rc')} | {down['total']} | "
            f"{down['by_status']} | 0 | {down['duplicate_keys']} |"
        )
        say(
            f"| retry, console backend | {up_rc.get('rc')} | {up['total']} | {up['by_status']} | "
            f"{up['mails_in_files']} | {up['duplicate_keys']} |"
        )
        say()
        say(
            f"Failures logged by the command: {logged}; sample error recorded: "
            f"`{down['sample_error'][:160]}`."
        )
        failed_down = down["by_status"].get("failed", 0)
        new_up = set(up["ids"]) - set(down["ids"])
        sent_up = up["by_status"].get("sent", 0) - before["by_status"].get("sent", 0)
        say(
            f"New reminders while down: {len(new_ids)} ({failed_down} failed); after the retry "
            f"{sent_up} more sent, {len(new_up)} new log rows, "
            f"{up['by_status'].get('failed', 0)} still failed."
        )
        if not new_ids:
            failures.append("no reminders were due: the fault was not exercised")
        if failed_down != len(new_ids) - down["by_status"].get("cancelled", 0) + before[
            "by_status"
        ].get("failed", 0):
            failures.append("not every reminder failed while the mail server was down")
        if up["by_status"].get("failed", 0) or up["by_status"].get("queued", 0):
            failures.append("reminders left failed/queued after the retry")
        if up["duplicate_keys"] or up["mails_in_files"] != sent_up:
            failures.append(
                "reminders duplicated or e-mails not matching the sent logs"
            )
    say()
    if not os.path.exists(f"{out}/diskfull/requests.csv"):
        say(
            "Disk full: not tried in this run (it needs root to mount a small tmpfs for "
            "the throwaway PostgreSQL; DISKFULL=0 skips it)."
        )

    finish(args, say, lines, failures)


def finish(args, say, lines, failures):
    say()
    say("## Result")
    say()
    if args.inner_status:
        failures.append(f"loadtest/inner.sh exited with {args.inner_status}")
    say("**PASS**" if not failures else "**FAIL**: " + "; ".join(failures))
    text = "\n".join(lines) + "\n"
    with open(args.md, "w") as f:
        f.write(text)
    print(text)
    print(f"written to {args.md}")
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
