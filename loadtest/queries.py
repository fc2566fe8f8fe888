# ruff: noqa: T201
"""SQL queries and time per page for one signed-in load trainee: the plain page
(home) vs the course page, to explain the throughput ratio. Run with
`manage.py shell -c "exec(open('loadtest/queries.py').read())"` (production
settings, SECURE_SSL_REDIRECT=false); writes queries.json to LOADTEST_OUT.
"""

import json
import os
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User

plan = json.load(open(os.environ["LOADTEST_PLAN"]))
user = User.objects.get(email=plan["trainees"][0]["email"])
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
result = {}
for name, path in [
    ("plain", "/huong-dan/"),
    ("home", "/"),
    ("course", plan["courses"][0]["url"]),
    ("lesson", plan["courses"][0]["lessons"][1]["url"]),
]:
    client.get(path)  # warm
    times = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t)
    times.sort()
    result[name] = {
        "sql": [q["sql"][:160] for q in ctx.captured_queries],
        "path": path,
        "status": response.status_code,
        "queries": len(ctx.captured_queries),
        "median_ms": round(times[len(times) // 2] * 1000, 1),
    }
json.dump(result, open(f"{os.environ['LOADTEST_OUT']}/queries.json", "w"), indent=1)
print("queries:", json.dumps(result))
