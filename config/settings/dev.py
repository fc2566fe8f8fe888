from .base import *

DEBUG = True
SECRET_KEY = (
    os.environ.get("DJANGO_SECRET_KEY") or "dev-only-not-secret-spokesperson-elearning"
)
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

try:
    from .local import *
except ImportError:
    pass

# runserver serves static files from the finders; whitenoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
