"""Later joiners of an agency get the courses assigned to it.

The brief asks for this on User save, so whichever code moves a person between
agencies (the roster import, the admin, a merge) triggers it without knowing
about courses.
"""

from django.conf import settings
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver


@receiver(post_init, sender=settings.AUTH_USER_MODEL)
def remember_agency(sender, instance, **kwargs):
    instance._courses_saved_agency_id = instance.__dict__.get("agency_id")


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
