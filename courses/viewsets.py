"""The administrators' read-only list of enrolments (the completion report, which
agency managers use too, is in reports/)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from .models import Enrolment
from .permissions import enrolments_visible_to


class EnrolmentIndexView(IndexView):
    # "list", not "view": agency managers view enrolments in the completion
    # report; listing every one here is for administrators (see permissions.py).
    any_permission_required = ["list"]

    def get_base_queryset(self):
        return enrolments_visible_to(self.request.user).select_related(
            "learner", "course", "agency"
        )


class EnrolmentViewSet(ModelViewSet):
    model = Enrolment
    icon = "group"
    menu_label = _("Enrolments")
    menu_order = 251
    add_to_admin_menu = True
    url_prefix = "courses/enrolments"
    url_namespace = "courses_enrolments"
    index_view_class = EnrolmentIndexView
    copy_view_enabled = False
    list_display = [
        Column("learner", label=_("Learner"), sort_key="learner__full_name"),
        Column("course", label=_("Course"), sort_key="course__title"),
        Column("agency", label=_("Agency"), sort_key="agency__code"),
        Column("get_status_display", label=_("Status"), sort_key="status"),
        BooleanColumn("is_overdue", label=_("Overdue")),
        DateColumn("due_at", label=_("Due")),
        DateColumn("completed_at", label=_("Completed")),
    ]
    list_filter = ["status", "source", "course", "agency"]
    search_fields = ["learner__full_name", "learner__email"]
    ordering = ["-enrolled_at"]

    def get_common_view_kwargs(self, **kwargs):
        kwargs = super().get_common_view_kwargs(**kwargs)
        kwargs.update(add_url_name=None, edit_url_name=None, delete_url_name=None)
        return kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
