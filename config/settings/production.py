from .base import *

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # a missing key fails loudly

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and monitors probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# gunicorn only listens behind nginx, so REMOTE_ADDR is always nginx's address:
# allauth's per-IP sign-in rate limits must read the client from the last
# X-Forwarded-For entry nginx added (2 with a load balancer in front as well).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin iframe.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Without Redis (one server), the cache lives on disk, shared by every gunicorn
# worker: what one worker drops when a course changes is gone for all of them,
# and allauth's sign-in limits count across workers. With Redis it's Redis.
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# Background work: tasks wait in the database (django-tasks-db) and
# `manage.py db_worker` runs them; see docs/deploy.md. The app is always
# installed here so that `migrate` creates its table whichever backend is set.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}
if "django_tasks_db" not in INSTALLED_APPS:
    INSTALLED_APPS.append("django_tasks_db")

# Everything is logged as JSON lines, for journald and log shippers.
LOGGING["root"]["handlers"] = ["json"]
