"""Production running: deploy checks, the health check, request logs, tasks.

The production settings are exercised in subprocesses, as gunicorn and the
worker would load them; the end-to-end one needs a PostgreSQL server (the
PostgreSQL leg of `make test`) and makes a fresh database of its own there.
"""

import json
import logging
import os
import secrets
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config import views
from config.logging import JSONFormatter

REPO_ROOT = Path(__file__).resolve().parents[1]
REQUEST_LOG_MIDDLEWARE = "config.middleware.RequestLogMiddleware"


# --- production settings, in subprocesses ------------------------------------


def production_env(**overrides):
    """The environment of a production process: none of the developer's settings.

    Every variable that .env.example documents is dropped (DATABASE_URL stays,
    so the PostgreSQL leg's server is used), then the overrides are applied.
    """
    documented = {
        line.split("=", 1)[0]
        for line in (REPO_ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    } | {"TRUSTED_PROXY_COUNT", "REQUEST_LOG_LEVEL"}
    env = {
        key: value
        for key, value in os.environ.items()
        if key == "DATABASE_URL"
        or (key not in documented and not key.startswith("DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(args, env, timeout=180):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_django(script, env):
    """Run a Python snippet with Django set up; return its last stdout line as JSON."""
    code = "import django, json\ndjango.setup()\n" + textwrap.dedent(script)
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production_database_url():
    """A new, empty PostgreSQL database for production settings; dropped afterwards.

    Only on the PostgreSQL leg (`make test-postgres`, or any run under
    scripts/with-postgres.sh): production runs on PostgreSQL, and a full migrate
    in a subprocess is too slow to repeat on SQLite.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: scripts/with-postgres.sh .venv/bin/pytest ...")
    import psycopg

    config = dj_database_url.parse(url)
    name = f"production_probe_{uuid.uuid4().hex[:10]}"
    server = {
        "host": config["HOST"],
        "port": config["PORT"] or 5432,
        "user": config["USER"],
        "password": config["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_deploy_checks_report_nothing():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], production_env(DJANGO_SECRET_KEY=None))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_shares_cache_and_sessions_through_redis_when_configured():
    settings = run_django(
        """
        from django.conf import settings
        print(json.dumps([settings.CACHES["default"]["BACKEND"],
                          settings.SESSION_ENGINE, settings.TASKS["default"]["BACKEND"],
                          "django_tasks_db" in settings.INSTALLED_APPS]))
        """,
        production_env(REDIS_URL="redis://127.0.0.1:6379/0"),
    )

    assert settings == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "django_tasks_db.DatabaseBackend",
        True,
    ]


def test_production_without_redis_shares_one_cache_between_workers(tmp_path):
    """Several gunicorn workers, one server: a cache on disk they all see."""
    settings = run_django(
        """
        from django.conf import settings
        from django.core.cache import cache
        cache.set("shared", "by every worker")
        print(json.dumps([settings.CACHES["default"]["BACKEND"],
                          settings.CACHES["default"]["LOCATION"],
                          settings.SESSION_ENGINE]))
        """,
        production_env(REDIS_URL=None, CACHE_DIR=str(tmp_path)),
    )
    reader = run_django(
        """
        from django.core.cache import cache
        print(json.dumps(cache.get("shared")))
        """,
        production_env(REDIS_URL=None, CACHE_DIR=str(tmp_path)),
    )

    assert settings == [
        "django.core.cache.backends.filebased.FileBasedCache",
        str(tmp_path),
        "django.contrib.sessions.backends.db",
    ]
    assert reader == "by every worker"


def test_production_rate_limits_the_client_behind_nginx_not_nginx_itself():
    addresses = run_django(
        """
        from allauth.account.adapter import get_adapter
        from django.test import RequestFactory
        factory = RequestFactory()
        behind_nginx = factory.get("/", REMOTE_ADDR="127.0.0.1",
                                   HTTP_X_FORWARDED_FOR="203.0.113.7")
        spoofed = factory.get("/", REMOTE_ADDR="127.0.0.1",
                              HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
        direct = factory.get("/", REMOTE_ADDR="127.0.0.1")
        requests = (behind_nginx, spoofed, direct)
        print(json.dumps([get_adapter(r).get_client_ip(r) for r in requests]))
        """,
        production_env(),
    )

    assert addresses == ["203.0.113.7", "203.0.113.7", "127.0.0.1"]


def test_production_migrates_serves_health_over_http_and_runs_tasks_in_the_worker(
    production_database_url,
):
    env = production_env(DATABASE_URL=production_database_url)
    probe = """
        from django.test import Client
        client = Client(HTTP_HOST="localhost")
        health = client.get("/healthz")
        home = client.get("/")
        print(json.dumps({"health": [health.status_code, health.json()],
                          "request_id": health.headers.get("X-Request-ID"),
                          "home": [home.status_code, home.headers.get("Location")]}))
    """

    before = run_django(probe, env)
    migrate = run(["manage.py", "migrate", "--no-input", "-v", "0"], env)
    after = run_django(probe, env)

    assert before["health"] == [
        503,
        {"status": "error", "database": "ok", "migrations": "pending"},
    ]
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    # /healthz answers over plain HTTP; everything else goes to HTTPS.
    assert after["health"] == [
        200,
        {"status": "ok", "database": "ok", "migrations": "ok"},
    ]
    assert after["request_id"]
    assert after["home"] == [301, "https://localhost/"]

    # A real Wagtail task waits in the database until the worker runs it.
    enqueued = run_django(
        """
        from wagtail.models import Page
        from wagtail.tasks import update_reference_index_task
        page = Page.objects.filter(depth=2).first()
        result = update_reference_index_task.enqueue("wagtailcore", "page", page.pk)
        print(json.dumps([result.id, str(result.status)]))
        """,
        env,
    )
    assert enqueued[1] == "READY"
    worker = run(["manage.py", "db_worker", "--batch", "--no-startup-delay"], env)
    assert worker.returncode == 0, worker.stderr[-3000:]
    finished = run_django(
        f"""
        from wagtail.tasks import update_reference_index_task
        result = update_reference_index_task.get_result({enqueued[0]!r})
        print(json.dumps(str(result.status)))
        """,
        env,
    )
    assert finished == "SUCCESSFUL"


# --- /healthz -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_migration_check(monkeypatch):
    """Each test sees the health check's migration answer uncached."""
    monkeypatch.setitem(views._migrations_ok_until, "default", 0.0)


@pytest.mark.django_db
def test_health_check_reports_ok_when_database_answers_and_migrations_are_applied(
    client,
):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_health_check_keeps_a_good_migration_answer_for_a_minute(client):
    client.get("/healthz")
    with mock.patch("config.views.MigrationExecutor") as executor:
        response = client.get("/healthz")

    assert response.status_code == 200
    executor.assert_not_called()


@pytest.mark.django_db
def test_health_check_fails_when_migrations_are_pending(client):
    with mock.patch("config.views.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [(object(), False)]
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "migrations": "pending",
    }


@pytest.mark.django_db
def test_health_check_fails_without_detail_when_database_is_unreachable(client):
    secret_detail = 'password authentication failed for user "spokes" at 10.0.0.5'
    with mock.patch("config.views.connection") as connection:
        connection.cursor.side_effect = OperationalError(secret_detail)
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "error",
        "migrations": "unknown",
    }
    assert b"10.0.0.5" not in response.content


def test_request_log_middleware_comes_first(settings):
    assert settings.MIDDLEWARE[0] == REQUEST_LOG_MIDDLEWARE


def test_health_check_accepts_no_posts(client):
    assert client.post("/healthz").status_code == 405


# --- request log --------------------------------------------------------------------


class Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JSONFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))

    @property
    def entries(self):
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def request_log():
    logger = logging.getLogger("spokes.request")
    collector = Collector()
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(collector)
    yield collector
    logger.removeHandler(collector)
    logger.setLevel(previous_level)


@pytest.fixture
def member(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        email="nhat.le@quangngai.gov.vn", password=None, full_name="Lê Minh Nhật"
    )


@pytest.mark.django_db
def test_each_request_is_logged_as_one_json_line(client, request_log):
    client.get("/healthz", HTTP_X_REQUEST_ID="lb-4f1c2a")

    assert len(request_log.lines) == 1
    assert "\n" not in request_log.lines[0]
    entry = request_log.entries[0]
    assert entry["logger"] == "spokes.request"
    assert {k: entry[k] for k in ("method", "path", "status", "user_id")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "user_id": None,
    }
    assert entry["request_id"] == "lb-4f1c2a"
    assert isinstance(entry["duration_ms"], float)


@pytest.mark.django_db
def test_request_id_is_generated_when_missing_or_malformed_and_returned(
    client, request_log
):
    plain = client.get("/healthz")
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"status": 200}')

    first, second = request_log.entries
    assert len(first["request_id"]) == 32
    assert plain.headers["X-Request-ID"] == first["request_id"]
    assert second["request_id"] != 'x"\n{"status": 200}'
    assert forged.headers["X-Request-ID"] == second["request_id"]


@pytest.mark.django_db
def test_request_log_leaves_out_query_strings_cookies_and_url_keys(client, request_log):
    client.cookies["sessionid"] = "cookie-value-never-logged"
    client.get("/healthz?token=query-token-never-logged")
    client.get("/accounts/confirm-email/url-key-never-logged/")
    client.get("/accounts/password/reset/key/4z-reset-key-never-logged/")

    text = "\n".join(request_log.lines)
    assert "never-logged" not in text
    assert [entry["path"] for entry in request_log.entries] == [
        "/healthz",
        "/accounts/confirm-email/[redacted]/",
        "/accounts/password/reset/key/[redacted]-[redacted]/",
    ]


@pytest.mark.django_db
def test_request_log_names_the_signed_in_user(client, request_log, member):
    client.force_login(member)

    client.get("/me/profile/")

    assert request_log.entries[-1]["user_id"] == member.pk
    assert request_log.entries[-1]["status"] == 200


@pytest.mark.django_db
def test_request_log_adds_no_database_query(settings, member):
    def queries_for_signed_in_health_check():
        client = Client()
        client.force_login(member)
        client.get("/healthz")  # warm up the connection and the migration loader
        with CaptureQueriesContext(connection) as queries:
            client.get("/healthz")
        return len(queries)

    with_log = queries_for_signed_in_health_check()
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != REQUEST_LOG_MIDDLEWARE
    ]
    without_log = queries_for_signed_in_health_check()

    assert with_log == without_log


# --- error pages ----------------------------------------------------------------------


def test_not_found_page_uses_the_site_layout(client, site_root):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert '<html lang="vi">' in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_server_error_page_needs_no_context_and_speaks_both_languages(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    content = response.content.decode()
    assert "Đã xảy ra lỗi" in content
    assert "Something went wrong" in content


def test_a_database_out_of_reach_answers_503_with_retry_after(
    client, site_root, monkeypatch
):
    """The session is the first thing a request reads from the database."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def database_down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", database_down)
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-that-needs-the-database"

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    content = response.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in content
    assert "Temporarily unavailable" in content


def test_a_lost_connection_in_a_page_answers_503(client, site_root, monkeypatch):
    from django.db import InterfaceError
    from wagtail.models import Page

    def connection_lost(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(Page, "route_for_request", connection_lost)
    client.raise_request_exception = False

    assert client.get("/").status_code == 503


def test_other_errors_stay_500(client, site_root, monkeypatch):
    from wagtail.models import Page

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Page, "route_for_request", broken)
    client.raise_request_exception = False

    response = client.get("/")
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in response.content.decode()
