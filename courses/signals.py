"""Signals only keep caches right. The learner pages' caches are keyed by live
revision, so publishing is a new key; what changes without a new revision of
the page cached drops its entry here: a course's outline (courses/outline.py)
when one of its pages is saved, deleted or moved, and a lesson's rendered body
(lesson_page.html) when the lesson is saved.

What follows a person's move or new name (enrolment in their agency's assigned
courses, the name on their certificates) is an explicit call from the accounts
services, through the hooks registered in wagtail_hooks.py.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from wagtail.signals import post_page_move

from .models import CoursePage
from .outline import forget_outlines


def _forget_outline_around(page) -> None:
    """Drop the cached outline of the course this page is in (or is)."""
    steplen = page.steplen
    paths = [page.path[:i] for i in range(steplen, len(page.path) + 1, steplen)]
    forget_outlines(
        CoursePage.objects.filter(path__in=paths).values_list("pk", "live_revision_id")
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


@receiver(post_save, sender="courses.LessonPage")
def forget_lesson_body(sender, instance, raw=False, **kwargs):
    """A save that keeps the live revision (an import, a script) changes the body
    under the same key: {% cache ... lesson-body %} in lesson_page.html."""
    if not raw:
        cache.delete_many(
            [
                make_template_fragment_key(
                    "lesson-body", [instance.pk, instance.live_revision_id, code]
                )
                for code, _name in settings.LANGUAGES
            ]
        )


@receiver(post_page_move)
def forget_outlines_on_move(sender, instance, parent_page_before, **kwargs):
    _forget_outline_around(parent_page_before)
    _forget_outline_around(instance)
