from .base import *

DEBUG = False
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WAGTAILADMIN_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES["private"]["OPTIONS"]["location"] = BASE_DIR / ".test-private"
LOGGING["root"]["level"] = "WARNING"
# Static files come from the finders in tests; whitenoise serves the collected
# folder in production only.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
ALLOW_DEMO_DATA = True  # tests call load_demo_data
