from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.permissions import register_permission_policy

from accounts.roles import is_administrator
from accounts.services import AFTER_PERSON_MOVED, AFTER_PERSON_RENAMED

from .admin_views import AssignCourseView
from .certificates.services import refresh_certificates_for
from .certificates.views import CertificateViewSet
from .models import Certificate, CourseAssignment, CoursePage, Enrolment
from .permissions import certificate_permission_policy, enrolment_permission_policy
from .services import apply_agency_assignments
from .viewsets import EnrolmentViewSet

register_permission_policy(Enrolment, enrolment_permission_policy)
register_permission_policy(Certificate, certificate_permission_policy)


# What accounts.services.person_changed calls: accounts may not import courses.


@hooks.register(AFTER_PERSON_MOVED)
def enrol_in_agency_assignments(user):
    """A person who joins an agency gets the courses assigned to it."""
    apply_agency_assignments(learner=user)


@hooks.register(AFTER_PERSON_RENAMED)
def reprint_certificate_names(user):
    """A corrected name shows on the person's certificates."""
    refresh_certificates_for(learner=user)


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return EnrolmentViewSet("courses_enrolments")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("courses_certificates")


@hooks.register("register_admin_urls")
def register_assign_url():
    return [path("courses/assign/", AssignCourseView.as_view(), name="courses_assign")]


class AssignCourseMenuItem(MenuItem):
    def is_shown(self, request):
        return is_administrator(request.user)


@hooks.register("register_admin_menu_item")
def register_assign_menu_item():
    return AssignCourseMenuItem(
        gettext_lazy("Assign a course"),
        reverse("courses_assign"),
        icon_name="group",
        order=250,
    )


@hooks.register("register_page_header_buttons")
def assign_course_button(page, user, view_name, next_url=None):
    if isinstance(page.specific_deferred, CoursePage) and is_administrator(user):
        yield PageMenuItem(
            gettext_lazy("Assign to learners"),
            reverse("courses_assign") + f"?course={page.pk}",
            icon_name="group",
            priority=40,
            page=page,
        )


def _courses_with_learners(pages) -> list[str]:
    titles = []
    for page in pages:
        courses = CoursePage.objects.descendant_of(page, inclusive=True)
        used = courses.filter(
            pk__in=Enrolment.objects.values("course_id")
        ) | courses.filter(pk__in=CourseAssignment.objects.values("course_id"))
        titles.extend(used.values_list("title", flat=True))
    return titles


@hooks.register("before_delete_page")
def keep_courses_with_learners(request, page):
    """Enrolments are history: a course with learners is unpublished, not deleted."""
    titles = _courses_with_learners([page])
    if titles:
        messages.error(
            request,
            _(
                "“%(titles)s” has learners; its enrolments are training history. "
                "Unpublish the course instead of deleting it."
            )
            % {"titles": "”, “".join(titles)},
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def keep_courses_with_learners_in_bulk(request, action_type, objects, action_class):
    if action_type != "delete":
        return None
    titles = _courses_with_learners(objects)
    if titles:
        messages.error(
            request,
            _("Not deleted: “%(titles)s” has learners. Unpublish it instead.")
            % {"titles": "”, “".join(titles)},
        )
        return redirect(request.GET.get("next") or "wagtailadmin_explore_root")
    return None
