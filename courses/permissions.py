"""Who sees which enrolments and certificates, and the one permission policy of
each of those models (registered in wagtail_hooks.py).

The agencies a person manages come from accounts.permissions.managed_agency_ids:
the same scope as the people and agencies they see.
"""

from django.db.models import Q, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.permissions import managed_agency_ids
from accounts.roles import is_administrator

from .models import Certificate, Enrolment


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    """Administrators see all; an agency manager those recorded under their subtree
    or whose learner is in it now; everyone else their own."""
    if not user.is_authenticated:
        return Enrolment.objects.none()
    ids = managed_agency_ids(user)
    if ids is None:
        return Enrolment.objects.all()
    if ids:
        return Enrolment.objects.filter(
            Q(agency_id__in=ids) | Q(learner__agency_id__in=ids)
        )
    return Enrolment.objects.filter(learner_id=user.pk)


def certificates_visible_to(user) -> QuerySet[Certificate]:
    """The certificates of the enrolments a person sees."""
    return Certificate.objects.filter(
        enrolment__in=enrolments_visible_to(user).values("pk")
    )


class EnrolmentPermissionPolicy(ModelPermissionPolicy):
    """Services write enrolments; nobody edits them in the admin.

    "view" opens the completion report and its reminders: the
    courses.view_enrolment model permission, which administrators and agency
    managers hold. "list" opens the admin listing of every enrolment
    (EnrolmentViewSet): administrators only.
    """

    def user_has_permission(self, user, action):
        if action == "list":
            return is_administrator(user)
        if action == "view":
            return super().user_has_permission(user, action)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CertificatePermissionPolicy(ModelPermissionPolicy):
    """Administrators list, inspect and revoke certificates; nobody edits them."""

    def user_has_permission(self, user, action):
        return action in ("view", "change") and is_administrator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


enrolment_permission_policy = EnrolmentPermissionPolicy(Enrolment)
certificate_permission_policy = CertificatePermissionPolicy(Certificate)
