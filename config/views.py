"""Operational endpoints, and the error page for a database that is out of reach."""

import logging
import sys
import time

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Building the migration graph reads every migration file (~80 ms of CPU), too
# much for a probe every few seconds. A process's code cannot change under it,
# so once every migration is applied the answer is kept for a minute; a
# pending or failed check is never kept.
MIGRATIONS_OK_SECONDS = 60.0
_migrations_ok_until = {"default": 0.0}


def unapplied_migrations() -> int:
    """How many migrations of the running code the database still lacks."""
    now = time.monotonic()
    if _migrations_ok_until["default"] > now:
        return 0
    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if not pending:
        _migrations_ok_until["default"] = now + MIGRATIONS_OK_SECONDS
    return pending


@never_cache
@require_safe
def healthz(request):
    """200 when the database answers and every migration is applied, else 503.

    For load balancers and monitoring: says which check failed, never why in
    detail (no versions, hosts or error text); the reason goes to the log.
    """
    checks = {"database": "ok", "migrations": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        checks["database"] = "error"
        checks["migrations"] = "unknown"
    else:
        try:
            pending = unapplied_migrations()
        except DatabaseError:
            logger.exception("Health check: migration state unreadable")
            checks["migrations"] = "error"
        else:
            if pending:
                logger.error("Health check: %d unapplied migrations", pending)
                checks["migrations"] = "pending"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks},
        status=200 if healthy else 503,
    )


# Seconds a client is asked to wait before retrying while the database is down.
DATABASE_RETRY_AFTER = 30


def server_error(request):
    """Django's 500 page, except when the database cannot be reached.

    A database restarting, out of connections or out of disk raises
    OperationalError or InterfaceError wherever the request first touched it
    (the session, the user, the page). That is temporary, and a write cut off
    halfway is rolled back: the writes that must be whole run in transactions,
    the rest (recording an opening) are idempotent. So the answer is 503 Service
    Unavailable with Retry-After, which load balancers, monitors and browsers
    read as "try again shortly", and a page that says so. Like the 500 page it
    needs no database and no context. Django calls this inside its exception
    handler, so sys.exc_info() is the exception being handled.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)
