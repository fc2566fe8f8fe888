from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import Agency
from .viewsets import AccountsViewSetGroup

register_permission_policy(Agency)


@hooks.register("register_admin_viewset")
def register_accounts_viewsets():
    return AccountsViewSetGroup()


@hooks.register("register_log_actions")
def register_agency_log_actions(actions):
    actions.register_action(
        "accounts.agency.merge", _("Merge"), _("Merged into another agency")
    )
