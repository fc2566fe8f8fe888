#!/usr/bin/env python3
# ruff: noqa: T201, S311, S603, S607  (a load generator running our own fault commands)
"""Trainees under load: sign in, read lessons, mark them done, take lesson quizzes.

Plain Python (threads + http.client, standard library only): one thread per
trainee, one keep-alive connection each, a cookie jar and CSRF tokens parsed
from the pages, every request recorded (endpoint, status, latency, error).
Aimed only at 127.0.0.1; stops by itself after --duration seconds (capped).

Faults: --fault NAME@SECONDS=COMMAND runs a shell command that many seconds
into the load (e.g. kill a gunicorn worker, restart PostgreSQL) and records
when it started and ended, so 5xx answers can be checked against the window.

Writes to --out: requests.csv, acks.json (what clients saw succeed: lesson
completions and submitted attempts), faults.json, summary.json.
"""

import argparse
import csv
import http.client
import json
import random
import re
import subprocess
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

HOST = "127.0.0.1"  # never anywhere else
MAX_DURATION = 180
ATTEMPT_RE = re.compile(r"^/quizzes/attempt/(\d+)/page/(\d+)/$")
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class FormFields(HTMLParser):
    """The answer fields of the attempt form: first option of each question."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str] | str] = {}
        self.select: str | None = None
        self.options: list[str] = []
        self.per_question: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                self.fields.setdefault(name, a.get("value", ""))
            elif kind == "text":
                self.fields[name] = "a"
        elif tag == "textarea" and name:
            self.fields[name] = "Trả lời thử tải."
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select and a.get("value"):
            self.options.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select" and self.select:
            # Ordering and matching questions are one select per item, named
            # "<question>-<item>": give the items of a question distinct choices.
            question = self.select.split("-", 1)[0]
            n = self.per_question.get(question, 0)
            self.per_question[question] = n + 1
            if self.options:
                self.fields[self.select] = self.options[n % len(self.options)]
            self.select = None


class Recorder:
    def __init__(self, t0):
        self.t0 = t0
        self.rows = []
        self.lock = threading.Lock()
        self.completions = []  # (user_id, lesson_id) acknowledged as done
        self.attempts = []  # (user_id, attempt_id) acknowledged as submitted
        self.refused = {"complete": 0, "quiz_start": 0}

    def add(self, **row):
        with self.lock:
            self.rows.append(row)


class Client:
    def __init__(self, port, rec: Recorder, user, index, timeout):
        self.port = port
        self.rec = rec
        self.user = user
        self.cookies: dict[str, str] = {}
        self.conn = None
        self.timeout = timeout
        # nginx would pass the client's address; one per trainee keeps allauth's
        # per-IP sign-in rate limit per person, as in real life.
        self.xff = f"10.77.{index // 250}.{index % 250 + 1}"
        self.csrf = ""

    def _connect(self):
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)

    def request(self, endpoint, method, path, form=None):
        if self.conn is None:
            self._connect()
        headers = {"Host": f"{HOST}:{self.port}", "X-Forwarded-For": self.xff}
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
        start = time.monotonic()
        status, location, text, error = 0, "", "", ""
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
            status = resp.status
            location = resp.getheader("Location") or ""
            for value in resp.headers.get_all("Set-Cookie") or []:
                pair = value.split(";", 1)[0]
                if "=" in pair:
                    k, v = pair.split("=", 1)
                    if v in ('""', "") or "max-age=0" in value.lower():
                        self.cookies.pop(k.strip(), None)
                    else:
                        self.cookies[k.strip()] = v.strip()
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            text = raw.decode("utf-8", "replace")
            m = CSRF_RE.search(text)
            if m:
                self.csrf = m.group(1)
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
            self.conn.close()
            self.conn = None
        end = time.monotonic()
        self.rec.add(
            endpoint=endpoint,
            method=method,
            status=status,
            error=error,
            start=round(start - self.rec.t0, 4),
            end=round(end - self.rec.t0, 4),
            ms=round((end - start) * 1000, 2),
            user=self.user["id"],
            path=path,
        )
        return status, urlsplit(location).path if location else "", text


def login(c: Client, password, deadline):
    while time.monotonic() < deadline:
        status, _, _ = c.request("login_page", "GET", "/accounts/login/")
        if status == 200:
            status, loc, _ = c.request(
                "login_post",
                "POST",
                "/accounts/login/",
                {"login": c.user["email"], "password": password},
            )
            if status == 302 and "sessionid" in c.cookies:
                return True
        time.sleep(0.5)
    return False


def take_quiz(c: Client, lesson, deadline):
    status, loc, _ = c.request(
        "quiz_start", "POST", f"/quizzes/lesson/{lesson['id']}/start/", {}
    )
    m = ATTEMPT_RE.match(loc) if status == 302 else None
    if not m:
        if status == 302:
            with c.rec.lock:
                c.rec.refused["quiz_start"] += 1
        return
    attempt = int(m.group(1))
    page = int(m.group(2))
    for _ in range(12):  # at most 12 pages, then submit whatever is saved
        if time.monotonic() >= deadline:
            return
        status, _, html = c.request(
            "attempt_page", "GET", f"/quizzes/attempt/{attempt}/page/{page}/"
        )
        if status != 200:
            return
        parser = FormFields()
        parser.feed(html)
        form = dict(parser.fields)
        form["nav"] = "next"
        status, loc, _ = c.request(
            "attempt_save", "POST", f"/quizzes/attempt/{attempt}/page/{page}/", form
        )
        if status != 302:
            return
        m = ATTEMPT_RE.match(loc)
        if not m:
            break  # to the submit page
        page = int(m.group(2))
    status, loc, _ = c.request(
        "attempt_submit", "POST", f"/quizzes/attempt/{attempt}/submit/", {}
    )
    if status == 302 and loc == f"/quizzes/attempt/{attempt}/result/":
        with c.rec.lock:
            c.rec.attempts.append((c.user["id"], attempt))
        c.request("attempt_result", "GET", loc)


def trainee(port, rec, user, index, plan, deadline, timeout):
    rng = random.Random(index)
    c = Client(port, rec, user, index, timeout)
    if not login(c, plan["password"], deadline):
        return
    courses = list(plan["courses"])
    while time.monotonic() < deadline:
        rng.shuffle(courses)
        for course in courses:
            if time.monotonic() >= deadline:
                return
            c.request("course_page", "GET", course["url"])
            for lesson in course["lessons"]:
                if time.monotonic() >= deadline:
                    return
                status, _, _ = c.request("lesson_page", "GET", lesson["url"])
                if status == 403:
                    # Locked: the rest of a sequential course, or the whole course
                    # while its prerequisite course is not completed.
                    break
                if status != 200:
                    continue  # an error: on to the next lesson
                if lesson["quiz"]:
                    take_quiz(c, lesson, deadline)
                status, loc, _ = c.request(
                    "lesson_complete",
                    "POST",
                    f"/my-learning/lessons/{lesson['id']}/complete/",
                    {},
                )
                if status == 302:
                    if loc and loc != urlsplit(lesson["url"]).path:
                        with rec.lock:
                            rec.completions.append((user["id"], lesson["id"]))
                    else:
                        with rec.lock:
                            rec.refused["complete"] += 1  # the quiz not passed yet


def run_fault(name, at, command, t0, faults, stop):
    delay = t0 + at - time.monotonic()
    if delay > 0 and stop.wait(delay):
        return
    started = time.monotonic() - t0
    try:
        proc = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, timeout=60
        )
        rc, out = proc.returncode, (proc.stdout + proc.stderr).strip()
    except subprocess.TimeoutExpired:
        rc, out = -1, "timed out after 60 s"
    faults.append(
        {
            "name": name,
            "start": round(started, 3),
            "end": round(time.monotonic() - t0, 3),
            "rc": rc,
            "output": out[-2000:],
        }
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fault", action="append", default=[], help="NAME@SECONDS=COMMAND")
    args = ap.parse_args()
    duration = min(args.duration, MAX_DURATION)
    plan = json.load(open(args.plan))
    users = plan["trainees"][: min(args.users, 200)]
    t0 = time.monotonic()
    wall0 = time.time()
    deadline = t0 + duration
    rec = Recorder(t0)
    faults, stop = [], threading.Event()
    fault_threads = []
    for spec in args.fault:
        head, command = spec.split("=", 1)
        name, at = head.split("@")
        th = threading.Thread(
            target=run_fault,
            args=(name, float(at), command, t0, faults, stop),
            daemon=True,
        )
        th.start()
        fault_threads.append(th)
    threads = [
        threading.Thread(
            target=trainee,
            args=(args.port, rec, u, i, plan, deadline, args.timeout),
            daemon=True,
        )
        for i, u in enumerate(users)
    ]
    for th in threads:
        th.start()
    # Each thread stops at the deadline; a request in flight has args.timeout more.
    for th in threads:
        th.join(max(0.1, deadline + args.timeout + 5 - time.monotonic()))
    hung = sum(th.is_alive() for th in threads)
    stop.set()
    for th in fault_threads:
        th.join(65)
    elapsed = time.monotonic() - t0
    with open(f"{args.out}/requests.csv", "w", newline="") as f:
        w = csv.DictWriter(
            f,
            fieldnames=[
                "endpoint",
                "method",
                "status",
                "error",
                "start",
                "end",
                "ms",
                "user",
                "path",
            ],
        )
        w.writeheader()
        with rec.lock:
            w.writerows(rec.rows)
    json.dump(
        {
            "completions": rec.completions,
            "attempts": rec.attempts,
            "refused": rec.refused,
        },
        open(f"{args.out}/acks.json", "w"),
    )
    json.dump(faults, open(f"{args.out}/faults.json", "w"), indent=1)
    json.dump(
        {
            "users": len(users),
            "duration": duration,
            "elapsed": round(elapsed, 2),
            "started_at": wall0,
            "hung_threads": hung,
        },
        open(f"{args.out}/summary.json", "w"),
    )
    print(
        f"trainees: {len(rec.rows)} requests in {elapsed:.1f}s, "
        f"{hung} threads still running"
    )


if __name__ == "__main__":
    main()
