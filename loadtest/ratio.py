#!/usr/bin/env python3
# ruff: noqa: T201, S101
"""Throughput of the course page relative to a plain Wagtail page, signed in.

The plain page is an information page of the demo (rich text under the home
page); the home page is measured too, for reference. Fixed connections
(threads with one keep-alive connection each, one session each), closed loop,
in short slots (--slot seconds) that go plain, course, home, plain, ... until
each page has had --seconds: drift on a shared machine (PostgreSQL's
checkpoint or autovacuum after the load phase) then hits every page alike.
127.0.0.1 only; stops by itself. Writes ratio.json to --out.
"""

import argparse
import http.client
import json
import re
import statistics
import threading
import time
from urllib.parse import urlencode

HOST = "127.0.0.1"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def session(port, email, password, xff):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/", headers={"X-Forwarded-For": xff})
    resp = conn.getresponse()
    html = resp.read().decode()
    cookies = dict(
        c.split(";", 1)[0].split("=", 1)
        for c in resp.headers.get_all("Set-Cookie") or []
    )
    token = CSRF_RE.search(html).group(1)
    body = urlencode(
        {"csrfmiddlewaretoken": token, "login": email, "password": password}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-Forwarded-For": xff,
        },
    )
    resp = conn.getresponse()
    resp.read()
    for c in resp.headers.get_all("Set-Cookie") or []:
        k, v = c.split(";", 1)[0].split("=", 1)
        cookies[k] = v
    conn.close()
    assert resp.status == 302 and "sessionid" in cookies, resp.status
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def hammer(port, path, cookie, seconds, out, errors):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.monotonic()
        try:
            conn.request("GET", path, headers={"Cookie": cookie})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                errors.append(resp.status)
            else:
                out.append(time.monotonic() - t)
        except (OSError, http.client.HTTPException):
            errors.append(0)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--plain", default="/huong-dan/")
    ap.add_argument("--home", default="/")
    ap.add_argument("--course", default=None)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=16, help="per page, in all")
    ap.add_argument("--slot", type=float, default=1, help="seconds per turn")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    seconds = min(args.seconds, 60)
    slot = max(0.5, min(args.slot, seconds))
    rounds = max(1, round(seconds / slot))
    plan = json.load(open(args.plan))
    course = args.course or plan["courses"][0]["url"]
    users = plan["trainees"][-args.connections :]
    cookies = [
        session(args.port, u["email"], plan["password"], f"10.88.0.{i + 1}")
        for i, u in enumerate(users)
    ]
    pages = [("plain", args.plain), ("course", course), ("home", args.home)]
    results = {name: {"lat": [], "err": [], "time": 0.0} for name, _path in pages}
    for _name, path in pages:  # warm
        hammer(args.port, path, cookies[0], 1, [], [])
    for _ in range(rounds):
        for name, path in pages:
            threads = [
                threading.Thread(
                    target=hammer,
                    args=(
                        args.port,
                        path,
                        ck,
                        slot,
                        results[name]["lat"],
                        results[name]["err"],
                    ),
                )
                for ck in cookies
            ]
            for th in threads:
                th.start()
            for th in threads:
                th.join(slot + 40)
            results[name]["time"] += slot
    summary = {
        "plain_path": args.plain,
        "course_path": course,
        "home_path": args.home,
        "connections": len(cookies),
        "seconds_each": slot * rounds,
        "slot_seconds": slot,
    }
    for name, r in results.items():
        lat = sorted(r["lat"])
        summary[name] = {
            "requests": len(lat),
            "errors": len(r["err"]),
            "rps": round(len(lat) / r["time"], 2),
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(lat[int(len(lat) * 0.95) - 1] * 1000, 1) if lat else None,
        }
    summary["ratio"] = round(summary["course"]["rps"] / summary["plain"]["rps"], 3)
    summary["ratio_to_home"] = round(
        summary["course"]["rps"] / summary["home"]["rps"], 3
    )
    json.dump(summary, open(f"{args.out}/ratio.json", "w"), indent=1)
    print(
        f"ratio: plain {args.plain} {summary['plain']['rps']} req/s, course {course} "
        f"{summary['course']['rps']} req/s, ratio {summary['ratio']} (home "
        f"{args.home} {summary['home']['rps']} req/s, course/home "
        f"{summary['ratio_to_home']})"
    )


if __name__ == "__main__":
    main()
