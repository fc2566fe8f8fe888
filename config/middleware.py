"""Request logging: one JSON line per request on the "spokes.request" logger."""

import logging
import re
import time
import uuid

from django.contrib.auth import SESSION_KEY
from django.utils.functional import LazyObject, empty

logger = logging.getLogger("spokes.request")

# An incoming X-Request-ID (from nginx or a load balancer) is kept when it looks
# like an identifier; anything else is replaced so log lines stay clean.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# URL arguments with these words in their names carry secrets (allauth's
# password-reset and email-confirmation keys, invitation tokens).
SECRET_URL_ARGUMENT = re.compile(r"key|token|uid|code|secret|signature", re.IGNORECASE)
REDACTED = "[redacted]"


class RequestLogMiddleware:
    """Log method, path, status, duration, user id and request id for each request.

    The query string and cookies are never logged, and secret URL arguments are
    redacted from the path. Logging adds no database query: the user id comes from
    the user or the session only when the request already loaded them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        request_id = (
            incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        )
        request.request_id = request_id
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response.headers.setdefault("X-Request-ID", request_id)
        fields = {
            "request_id": request_id,
            "method": request.method,
            "path": loggable_path(request),
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": loaded_user_id(request),
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(
            level,
            "%s %s %s %sms",
            fields["method"],
            fields["path"],
            fields["status"],
            duration_ms,
            extra={"fields": fields},
        )
        return response


def loggable_path(request) -> str:
    """The path without its query string, with secret URL arguments redacted."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if SECRET_URL_ARGUMENT.search(name) and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    return path


def loaded_user_id(request):
    """The signed-in user's id if the request already looked it up, else None."""
    user = getattr(request, "user", None)
    if isinstance(user, LazyObject):
        user = user.__dict__.get("_wrapped", empty)
    if user is not None and user is not empty:
        return user.pk if user.is_authenticated else None
    session = getattr(request, "session", None)
    cache = getattr(session, "_session_cache", None)
    if isinstance(cache, dict) and SESSION_KEY in cache:
        try:
            return int(cache[SESSION_KEY])
        except (TypeError, ValueError):
            return cache[SESSION_KEY]
    return None
