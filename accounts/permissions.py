"""Who sees which rows. Every view, report, export and chooser goes through here.

Wagtail model permissions decide whether someone may open a screen; these
functions decide which rows they get there.
"""

from django.db.models import Q, QuerySet

from .models import Agency, User
from .roles import ADMINISTRATOR, AGENCY_MANAGER, role_of


def _managed_agency_ids(user) -> set[int] | None:
    """None means every agency; an empty set means none."""
    role = role_of(user)
    if role == ADMINISTRATOR:
        return None
    if role == AGENCY_MANAGER and user.agency_id is not None:
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
    ids = _managed_agency_ids(user)
    if ids is None:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=ids)


def learners_visible_to(user) -> QuerySet[User]:
    """Administrators see all, an agency manager their subtree, others only themself."""
    if not user.is_authenticated:
        return User.objects.none()
    ids = _managed_agency_ids(user)
    if ids is None:
        return User.objects.all()
    if ids:
        return User.objects.filter(agency_id__in=ids)
    return User.objects.filter(pk=user.pk)


def can_manage_agency(user, agency: Agency) -> bool:
    """Administrators manage every agency, an agency manager those in their subtree."""
    if not user.is_authenticated:
        return False
    ids = _managed_agency_ids(user)
    return ids is None or agency.pk in ids


def enrolments_visible_to(user) -> QuerySet:
    """Administrators see all; an agency manager those recorded under their subtree
    or whose learner is in it now; everyone else their own."""
    from django.apps import apps

    Enrolment = apps.get_model("courses", "Enrolment")
    if not user.is_authenticated:
        return Enrolment.objects.none()
    ids = _managed_agency_ids(user)
    if ids is None:
        return Enrolment.objects.all()
    if ids:
        return Enrolment.objects.filter(
            Q(agency_id__in=ids) | Q(learner__agency_id__in=ids)
        )
    return Enrolment.objects.filter(learner_id=user.pk)
