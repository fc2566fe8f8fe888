"""Who sees which people and agencies. Every view, report, export and chooser
goes through here; rows of the apps above (enrolments, certificates) are scoped
in those apps' own ``permissions`` modules, on top of ``managed_agency_ids``.

Wagtail model permissions decide whether someone may open a screen; these
functions decide which rows they get there.
"""

from django.db.models import QuerySet

from .models import Agency, User
from .roles import AGENCY_MANAGER, is_administrator, role_of


def managed_agency_ids(user) -> set[int] | None:
    """The agencies a person manages: None means every one (administrators), an
    agency manager their agency's subtree, anyone else an empty set."""
    if is_administrator(user):
        return None
    if role_of(user) == AGENCY_MANAGER and user.agency_id is not None:
        cached = getattr(user, "_managed_agency_ids", None)
        if cached is None:
            # Once per request: request.user is the same object throughout.
            cached = user._managed_agency_ids = Agency.objects.subtree_ids(
                user.agency_id
            )
        return cached
    return set()


def agencies_visible_to(user) -> QuerySet[Agency]:
    """Administrators see every agency, an agency manager their subtree, others none."""
    ids = managed_agency_ids(user)
    if ids is None:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=ids)


def learners_visible_to(user) -> QuerySet[User]:
    """Administrators see all, an agency manager their subtree, others only themself."""
    if not user.is_authenticated:
        return User.objects.none()
    ids = managed_agency_ids(user)
    if ids is None:
        return User.objects.all()
    if ids:
        return User.objects.filter(agency_id__in=ids)
    return User.objects.filter(pk=user.pk)


def can_manage_agency(user, agency: Agency) -> bool:
    """Administrators manage every agency, an agency manager those in their subtree."""
    if not user.is_authenticated:
        return False
    ids = managed_agency_ids(user)
    return ids is None or agency.pk in ids
