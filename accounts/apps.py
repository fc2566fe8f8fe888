from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = _("Accounts and agencies")
    default_auto_field = "django.db.models.BigAutoField"
    default = True

    def ready(self):
        from . import signals  # noqa: F401


class UsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users with our user viewset (full name, position, agency, language)."""

    default = False
    user_viewset = "accounts.viewsets.UserViewSet"
