"""Benchmark settings: the test settings plus the baseline page app.

bench/run.py sets DATABASE_URL to a temporary SQLite file before this loads.
"""

from config.settings.test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
# Measure the pages, not the request log.
LOGGING["root"]["level"] = "ERROR"  # noqa: F405
LOGGING["loggers"].setdefault("spokes.request", {})["level"] = "ERROR"  # noqa: F405
