"""The completion report, its reminders and the permission that opens them."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.permissions import enrolment_permission_policy

from .views import ReminderView


@hooks.register("register_admin_urls")
def register_completion_report_urls():
    return [
        path("reports/completion/", include("reports.urls")),
        path("courses/reminders/", ReminderView.as_view(), name="reports_reminders"),
    ]


class CompletionReportMenuItem(MenuItem):
    def is_shown(self, request):
        return enrolment_permission_policy.user_has_permission(request.user, "view")


@hooks.register("register_reports_menu_item")
def register_completion_report_menu_item():
    return CompletionReportMenuItem(
        _("Completion by agency"),
        reverse("reports:completion"),
        name="completion-by-agency",
        icon_name="table",
        order=100,
    )


@hooks.register("register_permissions")
def register_enrolment_permissions():
    # Shown in Settings → Groups, where administrators grant the report.
    return Permission.objects.filter(
        content_type__app_label="courses", codename="view_enrolment"
    )
