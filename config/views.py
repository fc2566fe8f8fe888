"""Operational endpoints."""

import logging
import time

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
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
