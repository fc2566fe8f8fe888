"""Operational endpoints."""

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


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
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError:
            logger.exception("Health check: migration state unreadable")
            checks["migrations"] = "error"
        else:
            if plan:
                logger.error("Health check: %d unapplied migrations", len(plan))
                checks["migrations"] = "pending"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks},
        status=200 if healthy else 503,
    )
