#!/usr/bin/env python3
# ruff: noqa: T201, S311  (a load generator that prints; seeded think times)
"""Capacity: how many active trainees one server holds.

Simulated trainees sign in once, then read: the course page, each lesson page,
"mark as done", now and then the lesson quiz, with a think time of THINK_MIN to
THINK_MAX seconds (5-15 s) before each next page, as a person reading would.
Trainees are added in steps (--start, then --step more every --step-seconds);
each step's new trainees start spread over the first --ramp part of the step,
and the step is measured over the rest. The ramp stops at the first step whose
p95 of page views (GETs of the course and lesson pages) is above --p95-ms or
whose error rate (5xx, connection errors, timeouts) is above --max-error-rate,
or at --max-trainees, or when the next step would end after --max-seconds.
The capacity is the last step that passed.

One process, asyncio, HTTP/1.1 over asyncio.open_connection (standard library
only): a sleeping trainee is a suspended coroutine and costs no CPU, so the
load generator can share the server's cores with little effect. Aimed only at
127.0.0.1; everything bounded (trainees, time, each request's timeout).

Writes to --out, as loadtest/trainees.py does: requests.csv, acks.json (what
clients saw succeed, for loadtest/verify.py), summary.json; plus capacity.json
(per step: active trainees, requests/s, p50/p95/p99 of page views, errors, CPU
of the server, PostgreSQL, the load generator and the whole machine).
"""

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import time
from urllib.parse import urlencode, urlsplit

from trainees import ATTEMPT_RE, CSRF_RE, FormFields

HOST = "127.0.0.1"  # never anywhere else
MAX_TRAINEES = 1000
MAX_SECONDS = 900
PAGE_VIEWS = ("course_page", "lesson_page")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def pct(values, p):
    """Nearest-rank percentile (as loadtest/report.py computes it)."""
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


# -- CPU accounting from /proc -------------------------------------------------


def _proc_table():
    """pid -> (ppid, name, CPU ticks of the process and of its reaped children)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                data = f.read()
        except OSError:
            continue
        comm = data[data.index("(") + 1 : data.rindex(")")]
        fields = data[data.rindex(")") + 2 :].split()
        # fields[0] is field 3 (state): ppid 4, utime 14, stime 15, cutime 16, cstime 17
        table[int(name)] = (int(fields[1]), comm, sum(int(x) for x in fields[11:15]))
    return table


def _tree(table, root):
    """The pids of root's process tree (root included)."""
    if root is None or root not in table:
        return set()
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        found.add(pid)
        todo.extend(children.get(pid, []))
    return found


def _machine_ticks():
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts[:8]) - idle, sum(parts[:8])


def cpu_sample(server_pid, pg_pid):
    table = _proc_table()
    t = os.times()
    busy, total = _machine_ticks()
    server, postgres = _tree(table, server_pid), _tree(table, pg_pid)
    ours = server | postgres | {os.getpid()}
    return {
        "at": time.monotonic(),
        "server": sum(table[p][2] for p in server) / CLK_TCK,
        "postgres": sum(table[p][2] for p in postgres) / CLK_TCK,
        "loadgen": t.user + t.system,
        "machine_busy": busy / CLK_TCK,
        "machine_total": total / CLK_TCK,
        "procs": {p: v[1:] for p, v in table.items() if p not in ours},
    }


def cpu_delta(a, b):
    """Per cent of one core over the interval, by process group; 'others' is the
    rest of the machine (other people's work on a shared machine), with the
    busiest of those processes by name."""
    wall = max(b["at"] - a["at"], 1e-6)
    d = {
        k: round((b[k] - a[k]) / wall * 100, 1)
        for k in ("server", "postgres", "loadgen", "machine_busy")
    }
    cores = (b["machine_total"] - a["machine_total"]) / wall
    d["cores"] = round(cores, 2)
    d["others"] = round(
        max(0.0, d["machine_busy"] - d["server"] - d["postgres"] - d["loadgen"]), 1
    )
    by_name = {}
    for pid, (name, ticks) in b["procs"].items():
        before = a["procs"].get(pid)
        used = ticks - (before[1] if before and before[0] == name else 0)
        by_name[name] = by_name.get(name, 0) + used
    top = sorted(by_name.items(), key=lambda kv: -kv[1])[:3]
    d["others_top"] = [
        f"{name} {ticks / CLK_TCK / wall * 100:.0f}"
        for name, ticks in top
        if ticks / CLK_TCK / wall >= 0.05
    ]
    return d


# -- HTTP/1.1 over asyncio -----------------------------------------------------


class Recorder:
    def __init__(self, t0):
        self.t0 = t0
        self.rows = []
        self.inflight = {}  # token -> (endpoint, start)
        self.completions = []
        self.attempts = []
        self.refused = {"complete": 0, "quiz_start": 0}
        self.active = 0
        self.signed_in = 0
        self.login_failures = 0


class Client:
    def __init__(self, port, rec, user, index, timeout):
        self.port = port
        self.rec = rec
        self.user = user
        self.timeout = timeout
        self.cookies = {}
        self.csrf = ""
        self.reader = self.writer = None
        # One client address per trainee: allauth's per-IP sign-in limit, as in life.
        self.xff = f"10.77.{index // 250}.{index % 250 + 1}"

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _exchange(self, method, path, headers, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                HOST, self.port, limit=1 << 20
            )
        head = [f"{method} {path} HTTP/1.1"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        self.writer.write(data + (body or b""))
        await self.writer.drain()
        line = await self.reader.readline()
        if not line:
            raise ConnectionResetError("connection closed before the answer")
        version, status = line.decode("latin-1").split(None, 2)[:2]
        status = int(status)
        resp_headers = []
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, v = line.decode("latin-1").split(":", 1)
            resp_headers.append((k.strip().lower(), v.strip()))
        h = dict(resp_headers)
        if status in (204, 304) or 100 <= status < 200:
            raw = b""
        elif "chunked" in h.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b""):
                        pass
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            raw = b"".join(chunks)
        elif "content-length" in h:
            raw = await self.reader.readexactly(int(h["content-length"]))
        else:
            raw = await self.reader.read()
            h["connection"] = "close"
        if h.get("connection", "").lower() == "close" or version == "HTTP/1.0":
            self.close()
        return status, resp_headers, raw

    async def request(self, endpoint, method, path, form=None):
        headers = {
            "Host": f"{HOST}:{self.port}",
            "X-Forwarded-For": self.xff,
            "User-Agent": "spokes-loadtest-capacity",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = dict(form)
            form.setdefault(
                "csrfmiddlewaretoken", self.csrf or self.cookies.get("csrftoken", "")
            )
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Content-Length"] = str(len(body))
        rec = self.rec
        start = time.monotonic()
        token = object()
        rec.inflight[token] = (endpoint, start)
        status, location, text, error = 0, "", "", ""
        try:
            # A keep-alive connection the server closed meanwhile: one retry on a
            # fresh connection, for GETs only (a POST is never sent twice).
            for attempt in (1, 2):
                reused = self.writer is not None
                try:
                    status, resp_headers, raw = await asyncio.wait_for(
                        self._exchange(method, path, headers, body), self.timeout
                    )
                    break
                except (ConnectionResetError, asyncio.IncompleteReadError):
                    self.close()
                    if attempt == 2 or not reused or method != "GET":
                        raise
            for k, v in resp_headers:
                if k == "location":
                    location = v
                elif k == "set-cookie":
                    pair = v.split(";", 1)[0]
                    if "=" in pair:
                        name, value = (x.strip() for x in pair.split("=", 1))
                        if value in ('""', "") or "max-age=0" in v.lower():
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = value
            text = raw.decode("utf-8", "replace")
            m = CSRF_RE.search(text)
            if m:
                self.csrf = m.group(1)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            error = type(exc).__name__
            status = 0
            self.close()
        finally:
            rec.inflight.pop(token, None)
        end = time.monotonic()
        rec.rows.append(
            (
                endpoint,
                method,
                status,
                error,
                round(start - rec.t0, 4),
                round(end - rec.t0, 4),
                round((end - start) * 1000, 2),
                self.user["id"],
                path,
                rec.active,
            )
        )
        return status, urlsplit(location).path if location else "", text


# -- A trainee -----------------------------------------------------------------


class Trainee:
    def __init__(self, args, plan, rec, user, index, stop):
        self.args = args
        self.plan = plan
        self.rec = rec
        self.user = user
        self.stop = stop
        self.rng = random.Random(args.seed * 100_003 + index)
        self.c = Client(args.port, rec, user, index, args.timeout)

    async def think(self):
        """Reading time; True when the run is over."""
        try:
            await asyncio.wait_for(
                self.stop.wait(),
                self.rng.uniform(self.args.think_min, self.args.think_max),
            )
        except TimeoutError:
            return False
        return True

    async def login(self):
        c = self.c
        for _ in range(20):  # bounded: about 20 tries, a think time apart
            if self.stop.is_set():
                return False
            status, _, _ = await c.request("login_page", "GET", "/accounts/login/")
            if status == 200:
                status, loc, _ = await c.request(
                    "login_post",
                    "POST",
                    "/accounts/login/",
                    {"login": self.user["email"], "password": self.plan["password"]},
                )
                if status == 302 and "sessionid" in c.cookies:
                    # Where the sign-in lands (the dashboard), as a browser would.
                    await c.request("after_login", "GET", loc or "/")
                    return True
            self.rec.login_failures += 1
            if await self.think():
                return False
        return False

    async def quiz(self, lesson):
        c, rec = self.c, self.rec
        status, loc, _ = await c.request(
            "quiz_start", "POST", f"/quizzes/lesson/{lesson['id']}/start/", {}
        )
        m = ATTEMPT_RE.match(loc) if status == 302 else None
        if not m:
            if status == 302:
                rec.refused["quiz_start"] += 1
            return
        attempt, page = int(m.group(1)), int(m.group(2))
        for _ in range(12):  # at most 12 pages, then submit whatever is saved
            status, _, html = await c.request(
                "attempt_page", "GET", f"/quizzes/attempt/{attempt}/page/{page}/"
            )
            if status != 200:
                return
            if await self.think():  # answering takes time too
                return
            parser = FormFields()
            parser.feed(html)
            form = dict(parser.fields)
            form["nav"] = "next"
            status, loc, _ = await c.request(
                "attempt_save", "POST", f"/quizzes/attempt/{attempt}/page/{page}/", form
            )
            if status != 302:
                return
            m = ATTEMPT_RE.match(loc)
            if not m:
                break  # on to the submit page
            page = int(m.group(2))
        status, loc, _ = await c.request(
            "attempt_submit", "POST", f"/quizzes/attempt/{attempt}/submit/", {}
        )
        if status == 302 and loc == f"/quizzes/attempt/{attempt}/result/":
            rec.attempts.append((self.user["id"], attempt))
            await c.request("attempt_result", "GET", loc)
            await self.think()

    async def run(self, delay):
        rec = self.rec
        try:
            await asyncio.wait_for(self.stop.wait(), delay)
            return  # stopped before this trainee's turn
        except TimeoutError:
            pass
        rec.active += 1
        try:
            if not await self.login():
                return
            rec.signed_in += 1
            await self.journeys()
        finally:
            self.c.close()

    async def journeys(self):
        """Read the courses over and over. Like a person, a trainee who met a
        locked lesson (the sequence, or a prerequisite course not completed)
        does not open it again until a lesson of theirs is newly done, and takes
        the quiz of a lesson that "mark as done" refused for want of it."""
        c, rec, rng = self.c, self.rec, self.rng
        courses = list(self.plan["courses"])
        locked_at = {}  # course id -> index of the first locked lesson met
        needs_quiz = set()  # lessons whose completion was refused
        done = set()  # lessons acknowledged as done
        if await self.think():
            return
        while not self.stop.is_set():
            rng.shuffle(courses)
            for course in courses:
                await c.request("course_page", "GET", course["url"])
                if await self.think():
                    return
                lessons = course["lessons"][: locked_at.get(course["id"])]
                for index, lesson in enumerate(lessons):
                    status, _, _ = await c.request("lesson_page", "GET", lesson["url"])
                    if await self.think():
                        return
                    if status == 403:
                        locked_at[course["id"]] = index
                        break
                    if status != 200:
                        continue
                    if lesson["quiz"] and (
                        lesson["id"] in needs_quiz
                        or rng.random() < self.args.quiz_share
                    ):
                        await self.quiz(lesson)
                        if self.stop.is_set():
                            return
                    # "Mark as done" leads to the next lesson: its GET follows at once.
                    status, loc, _ = await c.request(
                        "lesson_complete",
                        "POST",
                        f"/my-learning/lessons/{lesson['id']}/complete/",
                        {},
                    )
                    if status != 302:
                        continue
                    if loc and loc != urlsplit(lesson["url"]).path:
                        rec.completions.append((self.user["id"], lesson["id"]))
                        needs_quiz.discard(lesson["id"])
                        if lesson["id"] not in done:
                            done.add(lesson["id"])
                            locked_at.clear()  # something may have opened
                    else:
                        rec.refused["complete"] += 1  # the quiz not passed yet
                        needs_quiz.add(lesson["id"])
                        if course["sequential"]:
                            break  # the next lesson is locked until then


# -- The steps -----------------------------------------------------------------


def step_stats(rec, a, b, now):
    """Requests that started in [a, b): finished ones, plus those still running
    at `now` counted with their time so far (a lower bound, never dropped)."""
    rows = [r for r in rec.rows if a <= r[4] < b]
    pending = [
        (ep, (now - s) * 1000)
        for ep, s in list(rec.inflight.values())
        if a <= s - rec.t0 < b
    ]
    views = [r[6] for r in rows if r[0] in PAGE_VIEWS and 200 <= r[2] < 400]
    views += [ms for ep, ms in pending if ep in PAGE_VIEWS]
    errors = sum(1 for r in rows if r[2] == 0 or r[2] >= 500)
    n = len(rows) + len(pending)
    allms = [r[6] for r in rows if r[2] != 0] + [ms for _, ms in pending]
    return {
        "requests": n,
        "rps": round(n / max(b - a, 1e-6), 1),
        "page_views": len(views),
        "p50_ms": pct(views, 50),
        "p95_ms": pct(views, 95),
        "p99_ms": pct(views, 99),
        "max_ms": max(views, default=None),
        "all_p95_ms": pct(allms, 95),
        "errors": errors,
        "status_5xx": sum(1 for r in rows if r[2] >= 500),
        "conn_errors": sum(1 for r in rows if r[2] == 0),
        "status_4xx": sum(1 for r in rows if 400 <= r[2] < 500),
        "still_running": len(pending),
        # Sign-ins (a password hash each) answered inside the measured part.
        "logins_measured": sum(
            1 for r in rec.rows if r[0] == "login_post" and r[5] >= a
        ),
        "error_rate": round(errors / n, 4) if n else 0.0,
    }


def fmt(x):
    return "-" if x is None else f"{x:.0f}"


async def main_async(args, plan, users):
    loop_t0 = time.monotonic()
    rec = Recorder(loop_t0)
    stop = asyncio.Event()
    tasks = []
    steps = []
    deadline = loop_t0 + args.max_seconds
    level, added = min(args.start, args.max_trainees), 0
    verdict = None
    repeat = False
    ramp = args.step_seconds * args.ramp
    while True:
        step_start = time.monotonic()
        new = users[added:level]
        for i, u in enumerate(new):
            delay = ramp * (i + 0.5) / len(new)
            t = Trainee(args, plan, rec, u, added + i, stop)
            tasks.append(asyncio.create_task(t.run(delay)))
        added = level
        await asyncio.sleep(max(0.0, step_start + ramp - time.monotonic()))
        cpu_a = cpu_sample(args.server_pid, args.pg_pid)
        a = time.monotonic() - loop_t0
        await asyncio.sleep(max(0.0, step_start + args.step_seconds - time.monotonic()))
        cpu_b = cpu_sample(args.server_pid, args.pg_pid)
        now = time.monotonic()
        s = step_stats(rec, a, now - loop_t0, now)
        s.update(
            step=len(steps) + 1,
            trainees=level,
            active=rec.active,
            signed_in=rec.signed_in,
            window=[round(a, 1), round(now - loop_t0, 1)],
            cpu=cpu_delta(cpu_a, cpu_b),
            repeat=repeat,
        )
        # What one active trainee costs in CPU (server, PostgreSQL and load
        # generator): unlike the latencies, it hardly depends on what else runs.
        ours = s["cpu"]["server"] + s["cpu"]["postgres"] + s["cpu"]["loadgen"]
        s["cpu_ms_per_trainee_s"] = round(ours * 10 / level, 2)
        s["cpu_ms_per_request"] = round(ours * 10 / s["rps"], 1) if s["rps"] else None
        reasons = []
        if s["p95_ms"] is not None and s["p95_ms"] > args.p95_ms:
            reasons.append("p95 over the limit")
        if s["error_rate"] > args.max_error_rate:
            reasons.append("error rate over the limit")
        if rec.signed_in < level:
            reasons.append("not every trainee signed in by the end of the step")
        if not s["page_views"]:
            reasons.append("no page views measured")
        s["passed"] = not reasons
        s["reasons"] = reasons
        steps.append(s)
        cpu = s["cpu"]
        print(
            f"capacity: step {s['step']:2d}: {level:4d} trainees "
            f"({rec.signed_in} signed in), {s['rps']:6.1f} req/s, page views "
            f"p50/p95/p99 {fmt(s['p50_ms'])}/{fmt(s['p95_ms'])}/{fmt(s['p99_ms'])} ms "
            f"(n={s['page_views']}), errors {s['errors']}/{s['requests']}; CPU % of a "
            f"core: server {cpu['server']}, postgres {cpu['postgres']}, load generator "
            f"{cpu['loadgen']}, others {cpu['others']}"
            + (f" ({', '.join(cpu['others_top'])})" if cpu["others"] >= 10 else "")
            + (f"  <- {'; '.join(reasons)}" if reasons else ""),
            flush=True,
        )
        out_of_time = time.monotonic() + args.step_seconds > deadline
        if reasons and args.confirm and not repeat and not out_of_time:
            # One bad step may be a burst of other work on a shared machine: the
            # same number of trainees is measured once more before the ramp stops.
            repeat = True
            print(f"capacity: measuring {level} trainees once more", flush=True)
            continue
        if reasons:
            verdict = reasons[0]
            break
        repeat = False
        if level >= args.max_trainees:
            verdict = "trainee cap reached"
            break
        if out_of_time:
            verdict = "time cap reached"
            break
        level = min(level + args.step, args.max_trainees)
    stop.set()
    # A trainee in the middle of a request finishes it (so that an acknowledged
    # write is recorded); the rest wake up and leave at once.
    done, pending = await asyncio.wait(tasks, timeout=args.timeout + 5)
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.wait(pending, timeout=5)
    errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
    elapsed = time.monotonic() - loop_t0
    return rec, steps, verdict, len(pending), errors, elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", type=int, default=50)
    ap.add_argument("--step", type=int, default=50)
    ap.add_argument("--step-seconds", type=float, default=40)
    ap.add_argument(
        "--ramp", type=float, default=0.5, help="part of a step spent adding"
    )
    ap.add_argument("--max-trainees", type=int, default=MAX_TRAINEES)
    ap.add_argument("--max-seconds", type=float, default=MAX_SECONDS)
    ap.add_argument("--p95-ms", type=float, default=500)
    ap.add_argument("--max-error-rate", type=float, default=0.01)
    ap.add_argument("--think-min", type=float, default=5)
    ap.add_argument("--think-max", type=float, default=15)
    ap.add_argument("--quiz-share", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--confirm",
        type=int,
        default=1,
        help="1: a step over the limit is measured once more before the ramp stops",
    )
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--server-pid", type=int, help="serve-prod.sh: its process tree")
    ap.add_argument("--pg-pidfile", help="postmaster.pid of the throwaway PostgreSQL")
    args = ap.parse_args()
    plan = json.load(open(args.plan))
    args.max_seconds = min(args.max_seconds, MAX_SECONDS)
    args.max_trainees = min(args.max_trainees, MAX_TRAINEES, len(plan["trainees"]))
    args.start = max(1, min(args.start, args.max_trainees))
    args.step = max(1, args.step)
    args.step_seconds = min(max(args.step_seconds, 10), 300)
    args.ramp = min(max(args.ramp, 0.1), 0.9)
    args.timeout = min(args.timeout, 60)
    args.pg_pid = None
    if args.pg_pidfile:
        try:
            args.pg_pid = int(open(args.pg_pidfile).readline())
        except (OSError, ValueError):
            pass
    # Up to MAX_TRAINEES sockets at once when the server is saturated.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096 and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    users = plan["trainees"][: args.max_trainees]
    # How busy the machine is before the load: on a shared machine, other
    # people's work takes cores from the server (the report says so).
    a = cpu_sample(args.server_pid, args.pg_pid)
    time.sleep(5)
    before = cpu_delta(a, cpu_sample(args.server_pid, args.pg_pid))
    top = ", ".join(before["others_top"])
    print(
        f"capacity: before the load, the machine is {before['machine_busy']} % of a "
        f"core busy (server {before['server']}, postgres {before['postgres']}, "
        f"others {before['others']}{': ' + top if top else ''})"
        + (": other work competes for the cores" if before["others"] >= 30 else ""),
        flush=True,
    )
    wall0 = time.time()
    print(
        f"capacity: from {args.start} trainees, {args.step} more every "
        f"{args.step_seconds:.0f} s (added over the first {args.ramp * 100:.0f} %, "
        f"measured over the rest) up to {args.max_trainees} or "
        f"{args.max_seconds:.0f} s; "
        f"think time {args.think_min:g}-{args.think_max:g} s; limit: p95 of page views "
        f"{args.p95_ms:.0f} ms, errors {args.max_error_rate * 100:g} %",
        flush=True,
    )
    rec, steps, verdict, hung, errors, elapsed = asyncio.run(
        main_async(args, plan, users)
    )
    passed = [s for s in steps if s["passed"]]
    failed = steps[-1] if steps and not steps[-1]["passed"] else None
    held = passed[-1] if passed else None
    capacity = {
        "held": held["trainees"] if held else 0,
        "p95_at_held": held["p95_ms"] if held else None,
        "failed_at": failed["trainees"] if failed else None,
        "p95_at_failed": failed["p95_ms"] if failed else None,
        "error_rate_at_failed": failed["error_rate"] if failed else None,
        "stopped_because": verdict,
    }
    if held and failed:
        if "p95 over the limit" in failed["reasons"]:
            why = f"passed {args.p95_ms:.0f} ms at {failed['trainees']}"
        else:
            why = (
                f"at {failed['trainees']}: {verdict}, p95 {fmt(failed['p95_ms'])} ms, "
                f"errors {failed['error_rate'] * 100:.1f} %"
            )
        line = (
            f"capacity: one server held {held['trainees']} active trainees (p95 "
            f"{held['p95_ms']:.0f} ms at {held['trainees']}; {why})"
        )
    elif held:
        line = (
            f"capacity: one server held {held['trainees']} active trainees (p95 "
            f"{held['p95_ms']:.0f} ms at {held['trainees']}; did not pass "
            f"{args.p95_ms:.0f} ms: {verdict})"
        )
    else:
        line = (
            f"capacity: one server held fewer than {args.start} active trainees "
            f"({verdict}, p95 {fmt(failed['p95_ms'] if failed else None)} ms)"
        )
    capacity["line"] = line
    print(line, flush=True)
    out = args.out
    with open(f"{out}/requests.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "endpoint",
                "method",
                "status",
                "error",
                "start",
                "end",
                "ms",
                "user",
                "path",
                "active",
            ]
        )
        w.writerows(rec.rows)
    json.dump(
        {
            "completions": rec.completions,
            "attempts": rec.attempts,
            "refused": rec.refused,
        },
        open(f"{out}/acks.json", "w"),
    )
    json.dump([], open(f"{out}/faults.json", "w"))
    json.dump(
        {
            "mode": "capacity",
            "users": max((s["trainees"] for s in steps), default=0),
            "duration": round(elapsed, 1),
            "elapsed": round(elapsed, 2),
            "started_at": wall0,
            "hung_threads": hung,
            "client_exceptions": [repr(e) for e in errors[:10]],
            "signed_in": rec.signed_in,
            "login_failures": rec.login_failures,
        },
        open(f"{out}/summary.json", "w"),
    )
    settings = {
        k: getattr(args, k)
        for k in (
            "start",
            "step",
            "step_seconds",
            "ramp",
            "max_trainees",
            "max_seconds",
            "p95_ms",
            "max_error_rate",
            "think_min",
            "think_max",
            "quiz_share",
            "seed",
            "confirm",
            "timeout",
        )
    }
    settings["cores"] = os.cpu_count()
    json.dump(
        {
            "settings": settings,
            "cpu_before": before,
            "steps": steps,
            "capacity": capacity,
            "elapsed": elapsed,
        },
        open(f"{out}/capacity.json", "w"),
        indent=1,
    )
    print(
        f"capacity: {len(rec.rows)} requests in {elapsed:.1f} s, "
        f"{hung} trainees still running at the end, {len(errors)} client exceptions"
    )
    for e in errors[:5]:
        print(f"  client exception: {e!r}")


if __name__ == "__main__":
    main()
