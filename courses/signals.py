"""Two reactions to changes made elsewhere.

Later joiners of an agency get the courses assigned to it: on User save, so
whichever code moves a person between agencies (the roster import, the admin,
a merge) triggers it without knowing about courses.

A course's cached outline (courses/outline.py) is dropped when one of its
pages is saved, deleted or moved.

A learner's certificates carry their current name: a corrected spelling saved
anywhere (profile, admin, roster import) shows on the next download.
"""

from django.conf import settings
from django.db.models.signals import post_init, post_save, pre_delete
from django.dispatch import receiver
from wagtail.signals import post_page_move


@receiver(post_init, sender=settings.AUTH_USER_MODEL)
def remember_agency(sender, instance, **kwargs):
    instance._courses_saved_agency_id = instance.__dict__.get("agency_id")


def _printed_name(user) -> tuple:
    # What get_full_name() prints: the name, or the address when there is none.
    return (user.__dict__.get("full_name"), user.__dict__.get("email"))


@receiver(post_init, sender=settings.AUTH_USER_MODEL)
def remember_printed_name(sender, instance, **kwargs):
    instance._courses_saved_name = _printed_name(instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def enrol_agency_newcomer(
    sender, instance, created, raw=False, update_fields=None, **kwargs
):
    from .services import apply_agency_assignments

    if raw or "agency_id" not in instance.__dict__:
        return
    if update_fields is not None and "agency" not in update_fields:
        return
    changed = created or instance.agency_id != getattr(
        instance, "_courses_saved_agency_id", None
    )
    instance._courses_saved_agency_id = instance.agency_id
    if changed and instance.agency_id and instance.is_active:
        apply_agency_assignments(learner=instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def refresh_certificate_names(
    sender, instance, created, raw=False, update_fields=None, **kwargs
):
    from .certificates.services import refresh_certificates_for

    if raw or created or "full_name" not in instance.__dict__:
        return
    if update_fields is not None and not {"full_name", "email"} & set(update_fields):
        return
    if _printed_name(instance) != instance._courses_saved_name:
        instance._courses_saved_name = _printed_name(instance)
        refresh_certificates_for(learner=instance)


def _forget_outline_around(page) -> None:
    """Drop the cached outline of the course this page is in (or is)."""
    from .models import CoursePage
    from .outline import forget_outlines

    steplen = page.steplen
    paths = [page.path[:i] for i in range(steplen, len(page.path) + 1, steplen)]
    forget_outlines(
        CoursePage.objects.filter(path__in=paths).values_list("pk", flat=True)
    )


@receiver(post_save, sender="courses.CoursePage")
@receiver(post_save, sender="courses.ModulePage")
@receiver(post_save, sender="courses.LessonPage")
@receiver(pre_delete, sender="courses.CoursePage")
@receiver(pre_delete, sender="courses.ModulePage")
@receiver(pre_delete, sender="courses.LessonPage")
def forget_outline_on_change(sender, instance, raw=False, **kwargs):
    if not raw and instance.path:
        _forget_outline_around(instance)


@receiver(post_page_move)
def forget_outlines_on_move(sender, instance, parent_page_before, **kwargs):
    _forget_outline_around(parent_page_before)
    _forget_outline_around(instance)
