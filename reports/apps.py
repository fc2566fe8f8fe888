from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Completion by agency: no models of its own; it reads the other apps'."""

    name = "reports"
    label = "reports"
    verbose_name = _("Reports")
